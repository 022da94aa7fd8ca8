/**
 * The rules node's own checks, beyond its schema: column ids, empty outputs, value types,
 * `between` bounds and effective dates (errors), then rows an earlier row hides and rows that
 * overlap under `first` (warnings). Messages number rows from 1, as users see them; paths are
 * the document's (0-based).
 */
import type { ConfigProblem } from '@sluice/shared';
import type { Cell, Condition, RulesConfig, ValueType } from './definition.js';
import { isEmpty, rowCovers, rowsOverlap, rowTimes, valueSet } from './row-sets.js';

const TYPE_NAMES: Record<ValueType, string> = { number: 'a number', string: 'a text', boolean: 'a boolean' };

function typeOf(v: unknown): ValueType | undefined {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? (typeof v as ValueType) : undefined;
}

/** The literal values of a condition, with the path of each. */
function conditionValues(c: Condition, path: string): { v: unknown; path: string }[] {
  if (c.op === 'any' || c.op === 'expr') return [];
  if (c.op === 'between' || c.op === 'in') return c.value.map((v, i) => ({ v, path: `${path}.value[${i}]` }));
  return [{ v: c.value, path: `${path}.value` }];
}

/**
 * Every literal of a column must have one type: the declared one, else the first seen.
 * `null` (a missing value) goes with any type.
 */
class ColumnTypes {
  private readonly seen = new Map<string, { type: ValueType; where: string }>();

  constructor(
    private readonly what: string,
    private readonly problems: ConfigProblem[],
  ) {}

  declare(id: string, type: ValueType | undefined): void {
    if (type) this.seen.set(id, { type, where: 'its declared type' });
  }

  use(id: string, v: unknown, path: string, where: string): void {
    const t = typeOf(v);
    if (!t) return;
    const first = this.seen.get(id);
    if (!first) this.seen.set(id, { type: t, where });
    else if (first.type !== t) {
      const message = `${this.what} "${id}" gets ${TYPE_NAMES[t]} (${JSON.stringify(v)}) here, but ${TYPE_NAMES[first.type]} in ${first.where}`;
      this.problems.push({ path, message, code: 'rules-type' });
    }
  }
}

export function checkRulesConfig(c: RulesConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const inputIds = c.inputs.map((i) => i.id);
  const outputIds = c.outputs.map((o) => o.id);
  const collect = c.hitPolicy === 'collect';

  c.inputs.forEach((col, i) => {
    if (inputIds.indexOf(col.id) < i)
      problems.push({ path: `config.inputs[${i}].id`, message: `input column "${col.id}" is defined twice` });
  });
  c.outputs.forEach((col, i) => {
    if (outputIds.indexOf(col.id) < i)
      problems.push({ path: `config.outputs[${i}].id`, message: `output column "${col.id}" is defined twice` });
  });
  if (c.matchField !== undefined && outputIds.includes(c.matchField)) {
    problems.push({ path: 'config.matchField', message: `"${c.matchField}" is also an output column` });
  }
  if (collect && outputIds.includes(c.collectAs))
    problems.push({ path: 'config.collectAs', message: `"${c.collectAs}" is also an output column` });
  if (collect && c.matchField === c.collectAs) problems.push({ path: 'config.matchField', message: `"${c.matchField}" is also collectAs` });

  const inTypes = new ColumnTypes('input column', problems);
  const outTypes = new ColumnTypes('output column', problems);
  for (const col of c.inputs) inTypes.declare(col.id, col.type);
  for (const col of c.outputs) outTypes.declare(col.id, col.type);

  const checkThen = (then: Record<string, Cell>, path: string, name: string) => {
    const ids = Object.keys(then);
    if (ids.length === 0) {
      problems.push({
        path,
        message: `${name} sets no output (give a value to at least one of: ${outputIds.join(', ')})`,
        code: 'rules-empty',
      });
    }
    for (const id of ids) {
      if (!outputIds.includes(id)) {
        problems.push({ path: `${path}.${id}`, message: `unknown output column "${id}" (columns: ${outputIds.join(', ')})` });
      } else outTypes.use(id, then[id], `${path}.${id}`, name);
    }
  };

  c.rows.forEach((row, r) => {
    const at = `config.rows[${r}]`;
    const name = `row ${r + 1}`;
    for (const [id, cond] of Object.entries(row.when)) {
      const path = `${at}.when.${id}`;
      if (!inputIds.includes(id)) {
        problems.push({ path, message: `unknown input column "${id}" (columns: ${inputIds.join(', ') || 'none'})` });
        continue;
      }
      for (const x of conditionValues(cond, path)) inTypes.use(id, x.v, x.path, name);
      if (cond.op === 'between') {
        const [lo, hi] = cond.value;
        if (typeof lo !== typeof hi)
          problems.push({
            path: `${path}.value`,
            message: `between ${JSON.stringify(lo)} and ${JSON.stringify(hi)}: both ends must be numbers or both text`,
            code: 'rules-type',
          });
        else if (lo > hi)
          problems.push({
            path: `${path}.value`,
            message: `between ${JSON.stringify(lo)} and ${JSON.stringify(hi)}: the low end is above the high end, nothing matches`,
          });
      } else if (cond.op === 'in' && cond.value.length === 0) {
        problems.push({
          path: `${path}.value`,
          message: `${name} never matches: "in" an empty list`,
          severity: 'warning',
          code: 'rules-unreachable',
        });
      }
    }
    checkThen(row.then, `${at}.then`, name);
    const t = rowTimes(row);
    if (t.from >= t.until)
      problems.push({ path: `${at}.effectiveUntil`, message: `${name} never applies: effectiveUntil is not after effectiveFrom` });
  });
  checkThen(c.default, 'config.default', 'the default row');
  if (c.rows.length === 0) problems.push({ path: 'config.rows', message: 'no rows: every event gets the default', severity: 'warning' });

  if (!collect) problems.push(...firstHitWarnings(c, inputIds));
  return problems;
}

/** Under `first`: rows hidden by one earlier row, and rows that can match with an earlier one. */
function firstHitWarnings(c: RulesConfig, columns: readonly string[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  c.rows.forEach((row, j) => {
    // A row that never matches is reported by itself (empty `in`, between lo > hi).
    if (columns.some((id) => isEmpty(valueSet(row.when[id])))) return;
    const overlaps: number[] = [];
    for (let i = 0; i < j; i++) {
      const earlier = c.rows[i]!;
      if (rowCovers(earlier, row, columns)) {
        const message = `row ${j + 1} is unreachable: row ${i + 1} matches every event it matches, and comes first`;
        out.push({ path: `config.rows[${j}]`, message, severity: 'warning', code: 'rules-unreachable' });
        return;
      }
      if (rowsOverlap(earlier, row, columns) === 'yes') overlaps.push(i + 1);
    }
    if (overlaps.length > 0) {
      const list = overlaps.length === 1 ? `row ${overlaps[0]}` : `rows ${overlaps.join(', ')}`;
      const message = `row ${j + 1} overlaps ${list}: some events match both, and under "first" the earlier row wins`;
      out.push({ path: `config.rows[${j}]`, message, severity: 'warning', code: 'rules-overlap' });
    }
  });
  return out;
}
