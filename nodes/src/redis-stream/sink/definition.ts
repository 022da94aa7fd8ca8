import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { redisPasswordSecret, redisUrl, redisUrlProblems, streamKey } from '../redis-url.js';

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
    'password comes from the secret named in `passwordSecret`.',
  example: { url: 'redis://cache:6379/0', stream: 'alerts', maxLen: 100_000, field: 'data' },
  config: sinkRedisStreamConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [],
  check: (c) => redisUrlProblems(c.url),
  connects: true,
  envRefFields: ['url'],
});
