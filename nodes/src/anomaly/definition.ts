/**
 * The anomaly node's definition (browser-safe): per key, flags events whose value is unusual
 * against that key's own recent history. Scorers and their maths: scorers.ts; README.md.
 */
import { type ConfigProblem, type EventSchema, type FieldType, readsOf } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../sdk/define-node.js';
import { errorPortSchema } from '../sdk/error-event.js';

export const ANOMALY_METHODS = ['robust_z', 'ewma'] as const;

export const anomalyConfig = z.object({
  keyBy: z.array(z.string().min(1)).default([]).describe('Fields that key the histories (one history per key); none: one history'),
  field: z.string().min(1).describe('The numeric field to watch, dotted names allowed'),
  method: z
    .enum(ANOMALY_METHODS)
    .default('robust_z')
    .describe('robust_z: modified z-score against the median of the last `history` values. ewma: against an exponentially weighted mean'),
  history: z.number().int().min(3).max(1000).default(30).describe('robust_z: how many recent values per key are kept'),
  minHistory: z.number().int().min(2).max(1000).default(10).describe('Values a key needs before its events are scored'),
  threshold: z
    .number()
    .positive()
    .max(1000)
    .default(3.5)
    .describe('An event whose score is beyond this (in either direction, see `direction`) is an anomaly'),
  alpha: z.number().gt(0).max(1).default(0.1).describe('ewma: the weight of each new value (higher forgets faster)'),
  direction: z.enum(['both', 'high', 'low']).default('both').describe('Flag values above, below, or on both sides of what is expected'),
  scoreField: z.string().min(1).default('anomaly_score').describe('Field that carries the score on the anomaly port'),
  expectedField: z.string().min(1).default('anomaly_expected').describe('Field that carries the expected value on the anomaly port'),
});

export type AnomalyConfig = z.output<typeof anomalyConfig>;

function check(c: AnomalyConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (c.method === 'robust_z' && c.minHistory > c.history) {
    problems.push({
      path: 'config.minHistory',
      message: `minHistory (${c.minHistory}) is more than history (${c.history}) keeps: no event would ever be scored`,
    });
  }
  if (c.scoreField === c.expectedField)
    problems.push({ path: 'config.expectedField', message: `"${c.expectedField}" is also the score field` });
  const seen = new Set<string>();
  c.keyBy.forEach((k, i) => {
    if (seen.has(k)) problems.push({ path: `config.keyBy[${i}]`, message: `"${k}" is listed twice` });
    seen.add(k);
  });
  return problems;
}

function inferSchema(c: AnomalyConfig, ctx: { inputs: Record<string, EventSchema | undefined> }): Record<string, EventSchema | undefined> {
  const input = ctx.inputs.in;
  const added: Record<string, FieldType> = { [c.scoreField]: 'number', [c.expectedField]: 'number' };
  return {
    out: input,
    anomaly: input ? { fields: { ...input.fields, ...added }, open: input.open } : undefined,
    error: input ? errorPortSchema(input) : undefined,
  };
}

export const anomalyDefinition = defineNode<AnomalyConfig>({
  type: 'anomaly',
  category: 'window',
  title: 'Anomaly',
  summary: 'Flags events whose value is unusual for their key, against its own recent history.',
  docs:
    'Keeps a short history of `field` per key (`keyBy`) and scores each event against the history before it: ' +
    '`robust_z` is the modified z-score 0.6745 (x - median) / MAD over the last `history` values; `ewma` is ' +
    '(x - mean) / sd with an exponentially weighted mean and variance (`alpha`). Once a key has `minHistory` ' +
    'values, an event scoring beyond `threshold` also goes to the `anomaly` port, with the score and the ' +
    'expected value added. Every event goes on unchanged on `out`. A value that is not a finite number goes ' +
    'to the `error` port and is not added to the history. History is kept in arrival order per key.',
  example: {
    keyBy: ['machine'],
    field: 'temperature',
    method: 'robust_z',
    history: 30,
    minHistory: 10,
    threshold: 3.5,
    alpha: 0.1,
    direction: 'both',
    scoreField: 'anomaly_score',
    expectedField: 'anomaly_expected',
  },
  config: anomalyConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [
    { name: 'out', label: 'All events', description: 'Every event, unchanged' },
    { name: 'anomaly', label: 'Anomalies', description: 'The unusual events, with their score and expected value' },
    { name: 'error', label: 'Errors', description: 'Events whose value is not a finite number' },
  ],
  keyBy: (c) => c.keyBy,
  fieldRefs: (c) => [...c.keyBy.map((field, i) => ({ path: `config.keyBy[${i}]`, field })), { path: 'config.field', field: c.field }],
  fieldUse: (c) => ({ reads: readsOf(c.keyBy, [c.field]), forwards: true }),
  check,
  inferSchema,
});
