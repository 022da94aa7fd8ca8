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
  partitionBy: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe(
      'With parallelism N above 1: the field (dots for nested fields) whose value places each record in one of N streams, FNV-1a of its text mod N; a record without it (or with an object, list or null there) refuses the request with 400',
    ),
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
    '`timeField` is missing or not a time, goes to the `error` port. With `parallelism` N, ' +
    '`partitionBy` names a field: each record goes to the partition given by a hash of its value ' +
    '(a request with a record without it is refused whole, 400), and each partition is read on its own.',
  example: { maxBuffered: 100_000, format: 'auto', timeField: 'ts', maxOutOfOrderness: '5s' },
  config: sourceHttpConfig,
  split: {
    how: 'by a key field: the server puts each posted record in one of N streams, fnv1a32(utf8(text of partitionBy)) mod N, and partition p reads stream p',
    guarantee:
      "every accepted record once; records with the same key in one partition, in the order they were accepted; no order across partitions (a downstream window sees them by the minimum of the partitions' watermarks)",
    check: (c) =>
      typeof c.partitionBy === 'string'
        ? undefined
        : 'with parallelism above 1 it needs partitionBy: the field whose value places each record in a partition (e.g. "user_id")',
  },
  inputs: [],
  outputs: () => [
    { name: 'out', label: 'Events' },
    { name: 'error', label: 'Bad records', description: 'Records that are not objects or have no usable time' },
  ],
  bounded: () => false,
  inferSchema: () => ({ out: UNKNOWN_SCHEMA, error: UNKNOWN_SCHEMA }),
});
