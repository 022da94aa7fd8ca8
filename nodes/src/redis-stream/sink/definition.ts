import { type ConfigProblem, MAX_SOURCE_PARALLELISM } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { redisPasswordSecret, redisUrl, redisUrlProblems, streamKey } from '../redis-url.js';
import { PARTITION_PLACEHOLDER } from '../source/definition.js';

export const sinkRedisStreamConfig = z.object({
  url: redisUrl,
  passwordSecret: redisPasswordSecret,
  stream: streamKey,
  maxLen: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Keep the stream to about this many entries (XADD MAXLEN ~: Redis trims whole blocks, so a few more may stay); default: no trimming',
    ),
  field: z.string().min(1).default('data').describe('Entry field that holds the event, as JSON'),
  partitions: z
    .number()
    .int()
    .min(2)
    .max(MAX_SOURCE_PARALLELISM)
    .optional()
    .describe('Write into this many streams by key: `stream` names them with {partition}, and partitionBy places each event'),
  partitionBy: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe(
      'With partitions: the field (dots for nested fields) whose value places each event, fnv1a32(utf8(value)) mod partitions, as HTTP ingest does; an event without it fails the run',
    ),
});

export type SinkRedisStreamConfig = z.output<typeof sinkRedisStreamConfig>;

export const sinkRedisStreamDefinition = defineNode<SinkRedisStreamConfig>({
  type: 'sink.redis-stream',
  category: 'sink',
  title: 'Redis stream',
  summary: 'Appends each event to a Redis stream as one entry (the event as JSON).',
  docs:
    'Adds one stream entry per event (XADD with an id Redis assigns), in the order the events ' +
    'arrive; the entry field `data` (or `field`) holds the event as JSON (its fields only: ' +
    'metadata such as event time is not written). `maxLen` keeps the stream to about that many ' +
    'entries. Writes are pipelined per batch; a write that fails fails the run naming the ' +
    'stream. Delivery is at least once: a batch retried after a crash may be added again. The ' +
    'password comes from the secret named in `passwordSecret`. With `partitions` N and ' +
    '`partitionBy`, each event goes to one of N streams (`stream` with {partition}) by a hash of ' +
    'its key, the one a split source.redis-stream or HTTP ingest uses (docs/source-partitions.md).',
  example: { url: 'redis://cache:6379/0', stream: 'alerts', maxLen: 100_000, field: 'data' },
  config: sinkRedisStreamConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [],
  check: (c) => [...redisUrlProblems(c.url), ...partitionProblems(c)],
  connects: true,
  envRefFields: ['url'],
});

/** partitions and partitionBy go together, and the stream must name the partitions. */
function partitionProblems(c: SinkRedisStreamConfig): ConfigProblem[] {
  const named = c.stream.includes(PARTITION_PLACEHOLDER);
  if (c.partitions === undefined && c.partitionBy === undefined)
    return named ? [{ path: 'config.stream', message: `${PARTITION_PLACEHOLDER} in the stream needs partitions and partitionBy` }] : [];
  if (c.partitions === undefined || c.partitionBy === undefined)
    return [
      { path: c.partitions === undefined ? 'config.partitions' : 'config.partitionBy', message: 'partitions and partitionBy go together' },
    ];
  return named
    ? []
    : [
        {
          path: 'config.stream',
          message: `with partitions the stream must name them with ${PARTITION_PLACEHOLDER} (e.g. "orders:${PARTITION_PLACEHOLDER}")`,
        },
      ];
}
