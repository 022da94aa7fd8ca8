/**
 * The table compiled once, when the operator is created: every expression to a closure, every
 * simple condition to a test on its column's value, every output cell to a constant or a
 * closure. Nothing is parsed per event.
 */
import { type CompiledExpression, compileExpression, type ParamValue } from '@sluice/shared';
import { NotBooleanError } from '../sdk/expression-errors.js';
import type { Cell, Condition, RulesConfig } from './definition.js';
import { rowTimes } from './row-sets.js';

type Row = Readonly<Record<string, unknown>>;

/** A value could not be compared (`demand > 40` with a text demand): the event's fault. */
export class RuleCompareError extends Error {
  readonly code = 'rules-compare';
  constructor(message: string) {
    super(message);
    this.name = 'RuleCompareError';
  }
}

/** A condition on one event; `vals` are the input columns' values. */
export type Test = (vals: readonly unknown[], e: Row) => boolean;
/** An output cell's value for one event. */
export type CellFn = (e: Row) => unknown;

export interface CompiledRow {
  /** 1-based, as users count rows. */
  number: number;
  from: number;
  until: number;
  tests: { test: Test; where: string }[];
  /** One per output column, in column order. */
  cells: { fn: CellFn; where: string }[];
}

export interface CompiledTable {
  /** Input columns that some simple condition reads (expr conditions read the event). */
  columns: { index: number; fn: CompiledExpression; where: string }[];
  columnCount: number;
  rows: CompiledRow[];
  defaults: { fn: CellFn; where: string }[];
  outputIds: string[];
}

/** A value as the expression language's messages name it (`the string "x"`, `the number 2`). */
function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 30 ? `${v.slice(0, 30)}...` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `the ${typeof v} ${String(v)}`;
}

/** `a op k` as the expression language orders: numbers or texts; null never matches. */
function ordered(op: '<' | '<=' | '>' | '>=', k: number | string): (v: unknown) => boolean {
  const check = (v: unknown): boolean => {
    if (v === null || v === undefined) return false;
    if (typeof v !== typeof k) throw new RuleCompareError(`cannot compare ${describe(v)} ${op} ${describe(k)}`);
    return true;
  };
  switch (op) {
    case '<':
      return (v) => check(v) && (v as typeof k) < k;
    case '<=':
      return (v) => check(v) && (v as typeof k) <= k;
    case '>':
      return (v) => check(v) && (v as typeof k) > k;
    case '>=':
      return (v) => check(v) && (v as typeof k) >= k;
  }
}

function compileCondition(cond: Condition, index: number, env: { params: Record<string, ParamValue>; now: () => number }): Test {
  switch (cond.op) {
    case 'any':
      return () => true;
    case '=': {
      const k = cond.value;
      return (vals) => (vals[index] ?? null) === k;
    }
    case '!=': {
      const k = cond.value;
      return (vals) => (vals[index] ?? null) !== k;
    }
    case 'in': {
      const set = new Set<unknown>(cond.value);
      return (vals) => set.has(vals[index] ?? null);
    }
    case 'between': {
      const lo = ordered('>=', cond.value[0]);
      const hi = ordered('<=', cond.value[1]);
      return (vals) => lo(vals[index]) && hi(vals[index]);
    }
    case 'expr': {
      const fn = compileExpression(cond.expression, env);
      return (_vals, e) => {
        const v = fn(e);
        if (v === true) return true;
        if (v === false || v === null || v === undefined) return false;
        throw new NotBooleanError('the condition', v);
      };
    }
    default: {
      const test = ordered(cond.op, cond.value);
      return (vals) => test(vals[index]);
    }
  }
}

function compileCell(cell: Cell | undefined, env: { params: Record<string, ParamValue>; now: () => number }): CellFn {
  if (cell === undefined || cell === null) return () => null;
  if (typeof cell === 'object') return compileExpression(cell.expr, env);
  return () => cell;
}

export function compileTable(c: RulesConfig, params: Record<string, ParamValue>, now: () => number): CompiledTable {
  const env = { params, now };
  const ids = c.inputs.map((i) => i.id);
  const used = new Set<string>();
  for (const row of c.rows) for (const [id, cond] of Object.entries(row.when)) if (cond.op !== 'any' && cond.op !== 'expr') used.add(id);
  const columns = c.inputs.flatMap((col, index) =>
    used.has(col.id) ? [{ index, fn: compileExpression(col.expression, env), where: `input column ${col.id}` }] : [],
  );
  const outputIds = c.outputs.map((o) => o.id);
  const defaults = outputIds.map((id) => ({ fn: compileCell(c.default[id], env), where: `the default row, ${id}` }));
  const rows = c.rows.map((row, r): CompiledRow => {
    const { from, until } = rowTimes(row);
    const name = `row ${r + 1}`;
    const tests = Object.entries(row.when)
      .filter(([, cond]) => cond.op !== 'any')
      .map(([id, cond]) => ({ test: compileCondition(cond, ids.indexOf(id), env), where: `${name}, ${id}` }));
    const cells = outputIds.map((id, o) =>
      Object.hasOwn(row.then, id) ? { fn: compileCell(row.then[id], env), where: `${name}, ${id}` } : defaults[o]!,
    );
    return { number: r + 1, from, until, tests, cells };
  });
  return { columns, columnCount: ids.length, rows, defaults, outputIds };
}
