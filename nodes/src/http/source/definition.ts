import { durationSchema, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';

export const INGEST_FORMATS = ['auto', 'json', 'ndjson'] as const;

export const sourceHttpConfig = z.object({
  maxBuffered: z.number().int().min(1).max(10_000_000).default(100_000).describe('Events held before ingestion answers 429 (backpressure)'),
  format: z
    .enum(INGEST_FORMATS)
    .default('auto')
    .describe(
      'How request bodies are read: auto (by content-type: NDJSON for application/x-ndjson, else a JSON object or array), json, ndjson',
    ),
  timeField: z
    .string()
    .min(1)
    .optional()
    .describe('Field holding the event time (epoch ms or ISO-8601; dots for nested fields); default: the arrival time'),
  maxOutOfOrderness: durationSchema.default('0s').describe('How far behind the latest event time an event may arrive and still be on time'),
});

export type SourceHttpConfig = z.output<typeof sourceHttpConfig>;

export const sourceHttpDefinition = defineNode<SourceHttpConfig>({
  type: 'source.http',
  category: 'source',
  title: 'HTTP ingest',
  summary: 'Events POSTed to /api/ingest/<pipeline>/<node> while the pipeline runs.',
  docs:
    'An unbounded source fed over HTTP: `POST /api/ingest/<pipeline>/<node>` with a JSON object, ' +
    'a JSON array or newline-delimited JSON. The server answers 202 with the number accepted, or ' +
    '429 with Retry-After when `maxBuffered` events are already waiting (nothing of that request ' +
    'is taken, so it can be retried whole), or 409 when the pipeline is not running. Event time ' +
    'is `timeField` when set, else the arrival time (and then the watermark follows the clock, ' +
    'so windows close even when nothing arrives). A record that is not a JSON object, or whose ' +
    '`timeField` is missing or not a time, goes to the `error` port.',
  example: { maxBuffered: 100_000, format: 'auto', timeField: 'ts', maxOutOfOrderness: '5s' },
  config: sourceHttpConfig,
  inputs: [],
  outputs: () => [
    { name: 'out', label: 'Events' },
    { name: 'error', label: 'Bad records', description: 'Records that are not objects or have no usable time' },
  ],
  bounded: () => false,
  inferSchema: () => ({ out: UNKNOWN_SCHEMA, error: UNKNOWN_SCHEMA }),
});
