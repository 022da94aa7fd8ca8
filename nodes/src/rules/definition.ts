import { type EventSchema, type ExpressionField, parseTime, passThroughUse, TIME_HINT, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { errorPortSchema } from '../sdk/error-event.js';
import { defineNode } from '../sdk/define-node.js';
import { checkRulesConfig } from './check-table.js';
import { rulesSchema } from './infer-schema.js';

/** A time bound of a row: epoch ms or ISO 8601 (no offset means UTC). */
export const timeMs = (v: number | string): number | undefined => parseTime(v);

const timeBound = z.union([z.number(), z.string()]).refine((v) => timeMs(v) !== undefined, { error: `not a time: ${TIME_HINT}` });

/** Output ids are the fields written: one plain name (no dots). */
const FIELD_NAME_RE = /^[^.]+$/;
const fieldName = z.string().regex(FIELD_NAME_RE, { error: 'a field name without dots' });

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const ordered = z.union([z.number(), z.string()]);
export const VALUE_TYPES = ['number', 'string', 'boolean'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export const conditionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('any') }),
  z.object({ op: z.enum(['=', '!=']), value: scalar }),
  z.object({ op: z.enum(['<', '<=', '>', '>=']), value: ordered }),
  z.object({ op: z.literal('between'), value: z.tuple([ordered, ordered]).describe('[lo, hi], both included') }),
  z.object({ op: z.literal('in'), value: z.array(scalar) }),
  z.object({
    op: z.literal('expr'),
    expression: z.string().min(1).meta({ format: 'sluice-expression', description: 'A predicate over the event (true matches)' }),
  }),
]);
export type Condition = z.output<typeof conditionSchema>;

/** An output cell: a literal, or an expression over the event. */
export const cellSchema = z.union([
  scalar,
  z.object({ expr: z.string().min(1).meta({ format: 'sluice-expression', description: 'Computed from the event' }) }),
]);
export type Cell = z.output<typeof cellSchema>;

export const rowSchema = z.object({
  when: z.record(z.string(), conditionSchema).default({}).describe('Input column id -> condition; a missing column matches anything'),
  // biome-ignore lint/suspicious/noThenProperty: the agreed config shape calls a row's outputs `then`
  then: z.record(z.string(), cellSchema).default({}).describe('Output column id -> value; a missing output takes the default row value'),
  effectiveFrom: timeBound.optional().describe('The row applies from this event time (included)'),
  effectiveUntil: timeBound.optional().describe('The row applies until this event time (excluded)'),
  note: z.string().optional(),
});
export type Row = z.output<typeof rowSchema>;

export const rulesConfig = z.object({
  exposed: z.boolean().default(false).describe('Business users may edit `rows` and `default`'),
  hitPolicy: z.enum(['first', 'collect']).default('first').describe('first: the first matching row wins; collect: every matching row'),
  inputs: z
    .array(
      z.object({
        id: z.string().min(1),
        label: z.string().optional(),
        expression: z.string().min(1).meta({ format: 'sluice-expression', description: 'The value this column tests' }),
        type: z.enum(VALUE_TYPES).optional().describe('When set, every value compared with this column must be of this type'),
      }),
    )
    .default([])
    .describe('Condition columns: each computes one value from the event'),
  outputs: z
    .array(
      z.object({
        id: fieldName.describe('The field written'),
        label: z.string().optional(),
        unit: z.string().optional(),
        type: z.enum(VALUE_TYPES).optional().describe('When set, every literal in this column must be of this type'),
      }),
    )
    .min(1)
    .describe('Output columns: each is a field written on the event'),
  rows: z.array(rowSchema).default([]).describe('Tried in order'),
  default: z.record(z.string(), cellSchema).default({}).describe('Outputs when no row matches (and for outputs a matching row leaves out)'),
  collectAs: fieldName.default('matches').describe('collect: field holding the list of the matched rows outputs'),
  matchField: fieldName.optional().describe('Field for the 1-based number of the (first) matched row, 0 for the default'),
});

export type RulesConfig = z.output<typeof rulesConfig>;

export const rulesDefinition = defineNode<RulesConfig>({
  type: 'rules',
  category: 'rules',
  title: 'Rules',
  summary: 'A decision table: conditions on fields pick output values, row by row.',
  docs:
    'Each input column computes a value from the event; each row gives a condition per column ' +
    '(`=`, `!=`, `<`, `<=`, `>`, `>=`, `between` [lo, hi] inclusive, `in` a list, `expr` a ' +
    'predicate, or `any`) and values for the output columns (literals or `{ "expr": ... }`). ' +
    'Rows are tried in order. `first`: the first matching row sets the output fields. `collect`: ' +
    'every matching row is listed under `collectAs`, and the output fields are those of the first ' +
    'match. No match: the `default` row. An output a row leaves out takes the default value. ' +
    '`effectiveFrom` (included) and `effectiveUntil` (excluded) limit a row to an event-time range. ' +
    'An expression that fails sends the event, unchanged, to the `error` port. The validator warns ' +
    'about rows an earlier row hides and rows that overlap under `first`.',
  example: {
    exposed: true,
    hitPolicy: 'first',
    inputs: [
      { id: 'category', label: 'Category', expression: 'category' },
      { id: 'demand', label: 'Orders / 5 min', expression: 'orders' },
    ],
    outputs: [{ id: 'adjust_pct', label: 'Price change', unit: '%' }],
    rows: [
      {
        when: { category: { op: '=', value: 'electronics' }, demand: { op: '>', value: 40 } },
        // biome-ignore lint/suspicious/noThenProperty: the agreed config shape calls a row's outputs `then`
        then: { adjust_pct: 8 },
      },
      {
        when: { category: { op: 'in', value: ['books', 'toys'] }, demand: { op: 'between', value: [10, 40] } },
        // biome-ignore lint/suspicious/noThenProperty: the agreed config shape calls a row's outputs `then`
        then: { adjust_pct: 3 },
      },
    ],
    default: { adjust_pct: 0 },
    collectAs: 'matches',
  },
  config: rulesConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [
    { name: 'out', label: 'Decided' },
    { name: 'error', label: 'Errors', description: 'Events on which an expression failed or a value could not be compared' },
  ],
  expressions: (c) => rulesExpressions(c),
  fieldUse: (c) => passThroughUse(rulesExpressions(c).map((x) => x.source)),
  check: (c) => checkRulesConfig(c),
  inferSchema: (c, ctx) => {
    const input: EventSchema = ctx.inputs.in ?? UNKNOWN_SCHEMA;
    return { out: rulesSchema(c, input), error: errorPortSchema(input) };
  },
});

/**
 * Every expression of the table, with the path of its cell. Also called on a config that failed
 * its schema (to check what can be found), so it reads defensively.
 */
export function rulesExpressions(c: RulesConfig): ExpressionField[] {
  const out: ExpressionField[] = [];
  const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
  const record = <T>(v: Record<string, T> | undefined): [string, T][] => (v !== null && typeof v === 'object' ? Object.entries(v) : []);
  list(c.inputs).forEach((col, i) => {
    if (typeof col?.expression === 'string') out.push({ path: `config.inputs[${i}].expression`, source: col.expression, role: 'value' });
  });
  const cells = (then: Record<string, Cell> | undefined, at: string) => {
    for (const [id, cell] of record(then)) {
      if (cell !== null && typeof cell === 'object' && typeof cell.expr === 'string')
        out.push({ path: `${at}.${id}.expr`, source: cell.expr, role: 'value' });
    }
  };
  list(c.rows).forEach((row, r) => {
    for (const [id, cond] of record(row?.when)) {
      if (cond?.op === 'expr' && typeof cond.expression === 'string') {
        out.push({ path: `config.rows[${r}].when.${id}.expression`, source: cond.expression, role: 'predicate' });
      }
    }
    cells(row?.then, `config.rows[${r}].then`);
  });
  cells(c.default, 'config.default');
  return out;
}
