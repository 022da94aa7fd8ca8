import { durationSchema, type EventSchema, type FieldType, parseDuration } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../sdk/define-node.js';

export const AGGREGATE_OPS = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct', 'first', 'last'] as const;
export type AggregateOp = (typeof AGGREGATE_OPS)[number];

export const windowConfig = z.object({
  type: z.enum(['tumbling', 'sliding', 'session']).describe('Tumbling: fixed, back to back. Sliding: fixed, overlapping. Session: per key, closed by a gap.'),
  size: durationSchema.optional().describe('Window length (tumbling, sliding)'),
  slide: durationSchema.optional().describe('How often a sliding window starts'),
  gap: durationSchema.optional().describe('Inactivity that closes a session'),
  keyBy: z.array(z.string().min(1)).default([]).describe('Fields that key the windows (one window per key); none: one global window'),
  aggregates: z
    .array(
      z.object({
        as: z.string().min(1).describe('Output field name'),
        op: z.enum(AGGREGATE_OPS),
        field: z.string().min(1).optional().describe('Input field (all but count)'),
      }),
    )
    .min(1)
    .describe('What to compute per window'),
  allowedLateness: durationSchema.default('0s').describe('How long after its end a window still accepts late events'),
});

export type WindowConfig = z.output<typeof windowConfig>;

const NUMERIC: Record<AggregateOp, FieldType | 'input'> = {
  count: 'number',
  count_distinct: 'number',
  sum: 'number',
  avg: 'number',
  min: 'input',
  max: 'input',
  first: 'input',
  last: 'input',
};

export const windowDefinition = defineNode<WindowConfig>({
  type: 'window',
  category: 'window',
  title: 'Window',
  summary: 'Aggregates events per key over event-time windows (tumbling, sliding, session).',
  docs:
    'Groups events by `keyBy` into event-time windows and emits one event per key and window when ' +
    'the watermark passes `window_end + allowedLateness`: the key fields, `window_start`, ' +
    '`window_end` (epoch ms) and one field per aggregate. Tumbling windows of `size` are aligned to ' +
    'the epoch; sliding windows of `size` start every `slide`; a session ends after `gap` without ' +
    'events for its key. Events for a window already emitted are late: counted and sent to the ' +
    '`late` port when it is connected.',
  example: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'orders', op: 'count' }], allowedLateness: '0s' },
  config: windowConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [
    { name: 'out', label: 'Windows' },
    { name: 'late', label: 'Late events', description: 'Events that arrived after their window was emitted' },
    { name: 'error', label: 'Errors', description: 'Events whose aggregated field had the wrong type' },
  ],
  keyBy: (c) => c.keyBy,
  check: (c) => {
    const problems: { path: string; message: string; severity?: 'error' | 'warning' }[] = [];
    const need = (field: 'size' | 'slide' | 'gap') => {
      if (c[field] === undefined) problems.push({ path: `config.${field}`, message: `a ${c.type} window needs a ${field}` });
      else if (parseDuration(c[field]) === 0) problems.push({ path: `config.${field}`, message: `${field} must be longer than 0` });
    };
    if (c.type === 'tumbling') need('size');
    if (c.type === 'sliding') {
      need('size');
      need('slide');
      const size = parseDuration(c.size);
      const slide = parseDuration(c.slide);
      if (size !== undefined && slide !== undefined && slide > size) {
        problems.push({ path: 'config.slide', message: `slide (${c.slide}) is longer than size (${c.size}): events between windows are in none`, severity: 'warning' });
      }
    }
    if (c.type === 'session') need('gap');
    const seen = new Set(['window_start', 'window_end', ...c.keyBy.map((k) => k.split('.')[0]!)]);
    c.aggregates.forEach((a, i) => {
      if (a.op !== 'count' && a.field === undefined) problems.push({ path: `config.aggregates[${i}].field`, message: `${a.op} needs a field` });
      if (seen.has(a.as)) problems.push({ path: `config.aggregates[${i}].as`, message: `"${a.as}" is already an output field` });
      seen.add(a.as);
    });
    return problems;
  },
  inferSchema: (c, ctx) => {
    const input = ctx.inputs.in;
    const fields: Record<string, FieldType> = { window_start: 'number', window_end: 'number' };
    for (const k of c.keyBy) {
      fields[k] = input?.fields[k] ?? 'any';
      if (k.includes('.')) fields[k.split('.')[0]!] = 'object';
    }
    for (const a of c.aggregates) {
      const t = NUMERIC[a.op];
      fields[a.as] = t !== 'input' ? t : a.field !== undefined ? (input?.fields[a.field] ?? 'any') : 'any';
    }
    const out: EventSchema = { fields, open: false };
    return { out, late: input, error: input ? { fields: { ...input.fields, _error: 'object' }, open: input.open } : undefined };
  },
});
