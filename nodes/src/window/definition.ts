/**
 * The window node's definition (browser-safe): config schema, checks, ports, output schema.
 * Semantics: GRAPH_FORMAT.md "Windows (event time)" and docs/windows.md.
 */
import {
  type ConfigProblem,
  durationSchema,
  type EventSchema,
  type FieldType,
  parseDuration,
  readsOf,
  workBoundProblem,
} from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../sdk/define-node.js';
import { combinedFields } from './partial-row.js';

export const AGGREGATE_OPS = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct', 'first', 'last'] as const;
export type AggregateOp = (typeof AGGREGATE_OPS)[number];
export const WINDOW_TYPES = ['tumbling', 'sliding', 'session'] as const;

const aggregateSpec = z.object({
  as: z.string().min(1).describe('Output field name'),
  op: z.enum(AGGREGATE_OPS).describe('count: events; sum, avg, min, max, count_distinct, first, last: of `field`'),
  field: z.string().min(1).optional().describe('Input field, dotted names allowed (all ops but count)'),
});
export type AggregateSpec = z.output<typeof aggregateSpec>;

export const windowConfig = z.object({
  type: z.enum(WINDOW_TYPES).describe('Tumbling: fixed, back to back. Sliding: fixed, overlapping. Session: per key, closed by a gap.'),
  size: durationSchema.optional().describe('Window length (tumbling, sliding)'),
  slide: durationSchema.optional().describe('How often a sliding window starts'),
  gap: durationSchema.optional().describe('Inactivity that closes a session'),
  keyBy: z.array(z.string().min(1)).default([]).describe('Fields that key the windows (one set of windows per key); none: one global set'),
  aggregates: z.array(aggregateSpec).min(1).describe('What to compute per window'),
  allowedLateness: durationSchema.default('0s').describe('How long after its end a window still accepts late events'),
});

export type WindowConfig = z.output<typeof windowConfig>;

/** Output type per op: a fixed type, or the input field's type. */
const RESULT_TYPE: Record<AggregateOp, FieldType | 'input'> = {
  count: 'number',
  count_distinct: 'number',
  sum: 'number',
  avg: 'number',
  min: 'input',
  max: 'input',
  first: 'input',
  last: 'input',
};

const NEEDS: Record<(typeof WINDOW_TYPES)[number], readonly ('size' | 'slide' | 'gap')[]> = {
  tumbling: ['size'],
  sliding: ['size', 'slide'],
  session: ['gap'],
};

function check(c: WindowConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const needed = NEEDS[c.type];
  for (const field of ['size', 'slide', 'gap'] as const) {
    const value = c[field];
    if (!needed.includes(field)) {
      if (value !== undefined)
        problems.push({ path: `config.${field}`, message: `a ${c.type} window has no ${field}; it is ignored`, severity: 'warning' });
    } else if (value === undefined) {
      problems.push({ path: `config.${field}`, message: `a ${c.type} window needs a ${field}`, code: 'missing-config' });
    } else if (parseDuration(value) === 0) {
      problems.push({ path: `config.${field}`, message: `${field} must be longer than 0` });
    }
  }
  if (c.type === 'sliding') {
    const size = parseDuration(c.size);
    const slide = parseDuration(c.slide);
    if (size && slide && slide > size) {
      problems.push({
        path: 'config.slide',
        message: `slide (${c.slide}) is longer than size (${c.size}): events between two windows are in none (counted as dropped)`,
        severity: 'warning',
      });
    }
  }
  problems.push(...workProblems(c));
  const keyNames = new Set<string>();
  c.keyBy.forEach((k, i) => {
    if (keyNames.has(k)) problems.push({ path: `config.keyBy[${i}]`, message: `"${k}" is listed twice` });
    keyNames.add(k);
  });
  // Output names already taken: the window bounds and the top-level name of every key field.
  const taken = new Set(['window_start', 'window_end', ...c.keyBy.map((k) => k.split('.')[0]!)]);
  c.aggregates.forEach((a, i) => {
    if (a.op !== 'count' && a.field === undefined)
      problems.push({ path: `config.aggregates[${i}].field`, message: `${a.op} needs a field` });
    if (a.op === 'count' && a.field !== undefined) {
      problems.push({
        path: `config.aggregates[${i}].field`,
        message: 'count counts every event; the field is ignored',
        severity: 'warning',
      });
    }
    if (taken.has(a.as)) problems.push({ path: `config.aggregates[${i}].as`, message: `"${a.as}" is already an output field` });
    taken.add(a.as);
  });
  return problems;
}

/**
 * The work the config implies, bounded (shared/src/graph/work-bounds.ts): windows per event
 * (each event updates every window holding it) and open windows per key (each held in memory
 * with a timer until the watermark passes its end plus allowedLateness).
 */
function workProblems(c: WindowConfig): ConfigProblem[] {
  const lateness = parseDuration(c.allowedLateness) ?? 0;
  const kept = lateness > 0 ? ` with allowedLateness ${show(c.allowedLateness)}` : '';
  if (c.type === 'session') {
    const gap = parseDuration(c.gap);
    if (!gap) return [];
    const p = workBoundProblem(
      'config.allowedLateness',
      'openWindowsPerKey',
      Math.ceil((gap + lateness) / gap),
      (n) => `a session gap of ${show(c.gap)}${kept} lets one key hold ${n} open sessions`,
    );
    return p ? [p] : [];
  }
  const size = parseDuration(c.size);
  const slide = c.type === 'tumbling' ? size : parseDuration(c.slide);
  if (!size || !slide) return [];
  const every = c.type === 'sliding' ? ` sliding every ${show(c.slide)}` : '';
  const perEvent = workBoundProblem(
    'config.slide',
    'windowsPerEvent',
    Math.ceil(size / slide),
    (n) => `a ${show(c.size)} window${every} puts each event in ${n} windows`,
  );
  if (perEvent) return [perEvent];
  const open = workBoundProblem(
    lateness > 0 ? 'config.allowedLateness' : 'config.slide',
    'openWindowsPerKey',
    Math.ceil((size + lateness) / slide),
    (n) => `a ${show(c.size)} window${every}${kept} lets one key hold ${n} open windows`,
  );
  return open ? [open] : [];
}

/** A duration as the document wrote it (a bare number is milliseconds). */
function show(d: string | number | undefined): string {
  return typeof d === 'number' ? `${d}ms` : String(d);
}

function inferSchema(c: WindowConfig, ctx: { inputs: Record<string, EventSchema | undefined> }): Record<string, EventSchema | undefined> {
  const input = ctx.inputs.in;
  const fields: Record<string, FieldType> = {};
  for (const k of c.keyBy) {
    // A dotted key is written nested: its parents are objects.
    const parts = k.split('.');
    for (let i = 1; i < parts.length; i++) fields[parts.slice(0, i).join('.')] = 'object';
    fields[k] = input?.fields[k] ?? 'any';
  }
  fields.window_start = 'number';
  fields.window_end = 'number';
  for (const a of c.aggregates) {
    const t = RESULT_TYPE[a.op];
    fields[a.as] = t !== 'input' ? t : a.field !== undefined ? (input?.fields[a.field] ?? 'any') : 'any';
  }
  return {
    out: { fields, open: false },
    late: input,
    error: input
      ? { fields: { ...input.fields, _error: 'object', '_error.node': 'string', '_error.message': 'string' }, open: input.open }
      : undefined,
  };
}

export const windowDefinition = defineNode<WindowConfig>({
  type: 'window',
  category: 'window',
  title: 'Window',
  summary: 'Aggregates events per key over event-time windows (tumbling, sliding, session).',
  docs:
    'Groups events by `keyBy` into event-time windows and emits one event per key and window, once, ' +
    'when the watermark reaches `window_end + allowedLateness`: the key fields, `window_start`, ' +
    '`window_end` (epoch ms) and one field per aggregate. Tumbling windows of `size` are aligned to ' +
    'the epoch; sliding windows of `size` start every `slide`; a session per key ends `gap` after ' +
    'its last event. An event for windows already emitted is late: counted, and sent to the `late` ' +
    'port when it is connected. A value `sum`/`avg` (numbers) or `min`/`max` (numbers, strings) ' +
    'cannot take makes the event an error (`error` port); a window whose sum overflows to Infinity ' +
    'goes to the `error` port too, never written as a silent null.',
  example: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'orders', op: 'count' }], allowedLateness: '0s' },
  config: windowConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [
    { name: 'out', label: 'Windows' },
    { name: 'late', label: 'Late events', description: 'Events that arrived after all their windows were emitted' },
    { name: 'error', label: 'Errors', description: 'Events with a value an aggregate cannot take (e.g. text in a sum)' },
  ],
  keyBy: (c) => c.keyBy,
  fieldRefs: (c) => [
    ...c.keyBy.map((field, i) => ({ path: `config.keyBy[${i}]`, field })),
    ...c.aggregates.flatMap((a, i) =>
      a.field !== undefined && a.op !== 'count' ? [{ path: `config.aggregates[${i}].field`, field: a.field }] : [],
    ),
  ],
  // Results are new objects (keys, window, aggregates); only late and failed events go on as they came.
  fieldUse: (c, isConnected) => ({
    reads: readsOf(
      c.keyBy,
      c.aggregates.flatMap((a) => (a.field ? [a.field] : [])),
    ),
    forwards: isConnected('late') || isConnected('error'),
  }),
  // Events into it may cross a keyed exchange as partial rows (docs/combiner.md).
  combines: combinedFields,
  check,
  inferSchema,
});
