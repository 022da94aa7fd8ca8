/**
 * The `rules` node's config as the table editor sees it, and the pure operations on it (rows,
 * columns, cells). Every operation returns a new config: the stores keep undo by reference.
 */
import type { Cell, Condition as NodeCondition, Row, RulesConfig as NodeRulesConfig, ValueType } from '../../../nodes/src/rules/definition';

// The node's schema gives the shapes; the table holds them looser while being edited (a half-written
// condition, an empty expression, a missing hit policy), so the node's check can say what is wrong.
export type ConditionOp = NodeCondition['op'];
/** Every operator of the node's schema, in menu order: one added there does not compile here until it is placed. */
const OP_MENU: Record<ConditionOp, true> = {
  any: true,
  '=': true,
  '!=': true,
  '<': true,
  '<=': true,
  '>': true,
  '>=': true,
  between: true,
  in: true,
  expr: true,
};
export const CONDITION_OPS = Object.keys(OP_MENU) as readonly ConditionOp[];
/** What the menu says for an operator: the symbols read as they are, the rest in words (no "expr"). */
export const OP_WORDS: Partial<Record<ConditionOp, string>> = {
  any: 'any value',
  between: 'between',
  in: 'one of',
  expr: 'custom condition',
};

/** A literal cell or condition value. */
export type Scalar = Exclude<Cell, { expr: string }>;

/** A condition being edited: any operator with the value (or expression) it has so far. */
export interface Condition {
  op: ConditionOp;
  value?: Scalar | Scalar[];
  expression?: Extract<NodeCondition, { op: 'expr' }>['expression'];
}

export type OutputCell = Cell;
export type RuleInput = NodeRulesConfig['inputs'][number];
export type RuleOutput = NodeRulesConfig['outputs'][number];

export type RuleRow = Omit<Row, 'when'> & { when: Record<string, Condition> };

export type RulesConfig = Partial<Omit<NodeRulesConfig, 'inputs' | 'outputs' | 'rows'>> & {
  inputs: RuleInput[];
  outputs: RuleOutput[];
  rows: RuleRow[];
  [k: string]: unknown;
};

/** The config read defensively: a half-written table still opens. */
export function readRules(config: Record<string, unknown>): RulesConfig {
  const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  return {
    ...config,
    inputs: arr<RuleInput>(config.inputs),
    outputs: arr<RuleOutput>(config.outputs),
    rows: arr<RuleRow>(config.rows).map((r) => withThen({ ...r, when: r?.when ?? {} }, r?.then ?? {})),
  };
}

export const isExprCell = (c: unknown): c is { expr: string } =>
  c !== null && typeof c === 'object' && !Array.isArray(c) && typeof (c as { expr?: unknown }).expr === 'string';

// --- rows ---------------------------------------------------------------------------------

/** A row with its outputs replaced (`then` is the agreed field name; set in one place, see the lint rule on thenables). */
export function withThen(r: Omit<RuleRow, 'then'> & { then?: unknown }, then: Record<string, OutputCell>): RuleRow {
  return { ...r, then };
}

export function emptyRow(c: RulesConfig): RuleRow {
  return withThen({ when: {} } as RuleRow, Object.fromEntries(c.outputs.map((o) => [o.id, null])));
}

const withRows = (c: RulesConfig, rows: RuleRow[]): RulesConfig => ({ ...c, rows });

/** A new empty row after `at` (or at the end). */
export function addRow(c: RulesConfig, at = c.rows.length - 1): RulesConfig {
  const rows = [...c.rows];
  rows.splice(at + 1, 0, emptyRow(c));
  return withRows(c, rows);
}

export function deleteRow(c: RulesConfig, i: number): RulesConfig {
  return withRows(
    c,
    c.rows.filter((_, j) => j !== i),
  );
}

export function duplicateRow(c: RulesConfig, i: number): RulesConfig {
  const row = c.rows[i];
  if (!row) return c;
  const rows = [...c.rows];
  rows.splice(i + 1, 0, structuredClone(row));
  return withRows(c, rows);
}

/** Row i one place up (by = -1) or down (by = 1); the order decides under hit policy "first". */
export function moveRow(c: RulesConfig, i: number, by: -1 | 1): RulesConfig {
  const j = i + by;
  if (j < 0 || j >= c.rows.length || i < 0 || i >= c.rows.length) return c;
  const rows = [...c.rows];
  [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  return withRows(c, rows);
}

export function updateRow(c: RulesConfig, i: number, patch: Partial<RuleRow>): RulesConfig {
  return withRows(
    c,
    c.rows.map((r, j) => (j === i ? dropUndefined({ ...r, ...patch }) : r)),
  );
}

/** Sets the condition of input `inputId` in row i; "any" removes it (a missing column matches anything). */
export function setCondition(c: RulesConfig, i: number, inputId: string, cond: Condition): RulesConfig {
  const row = c.rows[i];
  if (!row) return c;
  const when = { ...row.when };
  if (cond.op === 'any') delete when[inputId];
  else when[inputId] = cond;
  return updateRow(c, i, { when });
}

export function setOutput(c: RulesConfig, i: number, outputId: string, cell: OutputCell): RulesConfig {
  const row = c.rows[i];
  if (!row) return c;
  return withRows(
    c,
    c.rows.map((r, j) => (j === i ? withThen(r, { ...r.then, [outputId]: cell }) : r)),
  );
}

export function setDefault(c: RulesConfig, outputId: string, cell: OutputCell | undefined): RulesConfig {
  const d = { ...(c.default ?? {}) };
  if (cell === undefined) delete d[outputId];
  else d[outputId] = cell;
  return { ...c, default: d };
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

// --- columns (engineer mode) --------------------------------------------------------------

function freshId(taken: readonly string[], base: string): string {
  for (let n = 1; ; n++) if (!taken.includes(`${base}${n}`)) return `${base}${n}`;
}

export function addInput(c: RulesConfig): RulesConfig {
  const id = freshId(
    c.inputs.map((x) => x.id),
    'input',
  );
  return { ...c, inputs: [...c.inputs, { id, expression: '' }] };
}

export function addOutput(c: RulesConfig): RulesConfig {
  const id = freshId(
    c.outputs.map((x) => x.id),
    'output',
  );
  return { ...c, outputs: [...c.outputs, { id }], rows: c.rows.map((r) => withThen(r, { ...r.then, [id]: null })) };
}

/** Removes a column and its cells in every row (and the default). */
export function removeColumn(c: RulesConfig, kind: 'input' | 'output', id: string): RulesConfig {
  if (kind === 'input') {
    return {
      ...c,
      inputs: c.inputs.filter((x) => x.id !== id),
      rows: c.rows.map((r) => ({ ...r, when: omit(r.when, id) })),
    };
  }
  return {
    ...c,
    outputs: c.outputs.filter((x) => x.id !== id),
    rows: c.rows.map((r) => withThen(r, omit(r.then, id))),
    ...(c.default ? { default: omit(c.default, id) } : {}),
  };
}

/** Renames a column id, carrying its cells along; refuses an empty or taken id. */
export function renameColumn(c: RulesConfig, kind: 'input' | 'output', from: string, to: string): RulesConfig | string {
  const ids = kind === 'input' ? c.inputs.map((x) => x.id) : c.outputs.map((x) => x.id);
  if (to === from) return c;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(to)) return `"${to}" is not a valid column id (letters, digits, _; not starting with a digit)`;
  if (ids.includes(to)) return `a ${kind} column "${to}" exists already`;
  const rekey = <V>(o: Record<string, V>): Record<string, V> =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k === from ? to : k, v]));
  if (kind === 'input') {
    return {
      ...c,
      inputs: c.inputs.map((x) => (x.id === from ? { ...x, id: to } : x)),
      rows: c.rows.map((r) => ({ ...r, when: rekey(r.when) })),
    };
  }
  return {
    ...c,
    outputs: c.outputs.map((x) => (x.id === from ? { ...x, id: to } : x)),
    rows: c.rows.map((r) => withThen(r, rekey(r.then))),
    ...(c.default ? { default: rekey(c.default) } : {}),
  };
}

export function updateColumn(c: RulesConfig, kind: 'input' | 'output', id: string, patch: Partial<RuleInput & RuleOutput>): RulesConfig {
  if (kind === 'input') return { ...c, inputs: c.inputs.map((x) => (x.id === id ? dropUndefined({ ...x, ...patch }) : x)) };
  return { ...c, outputs: c.outputs.map((x) => (x.id === id ? dropUndefined({ ...x, ...patch }) : x)) };
}

function omit<V>(o: Record<string, V>, k: string): Record<string, V> {
  const next = { ...o };
  delete next[k];
  return next;
}

// --- typed values -------------------------------------------------------------------------

export type ValueKind = ValueType | 'any';

/** The kind of a column's values: from the type the checker gives its expression, else from the cells. */
export function kindOf(values: readonly unknown[], checked?: string): ValueKind {
  if (checked === 'number' || checked === 'string' || checked === 'boolean') return checked;
  for (const v of values.flatMap((x) => (Array.isArray(x) ? x : [x]))) {
    if (typeof v === 'number') return 'number';
    if (typeof v === 'boolean') return 'boolean';
    if (typeof v === 'string') return 'string';
  }
  return 'any';
}

export type Parsed = { ok: true; value: Scalar } | { ok: false; message: string };

/** Text typed in a cell, read as the column's kind ("any": a number when it reads as one). */
export function parseValue(text: string, kind: ValueKind): Parsed {
  const t = text.trim();
  if (kind === 'string') return { ok: true, value: text };
  if (kind === 'boolean') {
    if (t === 'true' || t === 'false') return { ok: true, value: t === 'true' };
    return { ok: false, message: `"${text}" is not true or false` };
  }
  const n = t === '' ? Number.NaN : Number(t);
  if (kind === 'number') return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: `"${text}" is not a number` };
  if (Number.isFinite(n)) return { ok: true, value: n };
  if (t === 'true' || t === 'false') return { ok: true, value: t === 'true' };
  if (t === 'null') return { ok: true, value: null };
  return { ok: true, value: text };
}

/** A list typed as "a, b, c", each item read as the column's kind. */
export function parseList(text: string, kind: ValueKind): { ok: true; value: Scalar[] } | { ok: false; message: string } {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: Scalar[] = [];
  for (const item of items) {
    const p = parseValue(item, kind);
    if (!p.ok) return p;
    out.push(p.value);
  }
  return { ok: true, value: out };
}

export const showScalar = (v: unknown): string =>
  v === undefined ? '' : v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v);

/** A condition as people read it: `> 40`, `between 10 and 20`, `in a, b`, `any`. */
export function showCondition(c: Condition | undefined): string {
  if (!c || c.op === 'any') return 'any';
  if (c.op === 'expr') return c.expression ?? '';
  if (c.op === 'between' && Array.isArray(c.value)) return `between ${showScalar(c.value[0])} and ${showScalar(c.value[1])}`;
  if (c.op === 'in' && Array.isArray(c.value)) return `in ${c.value.map(showScalar).join(', ')}`;
  return `${c.op} ${showScalar(c.value)}`;
}

export function showOutput(c: OutputCell | undefined): string {
  if (c === undefined) return '(none)';
  return isExprCell(c) ? `= ${c.expr}` : showScalar(c);
}
