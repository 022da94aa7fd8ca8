import { type ConfigProblem, durationSchema, type EventSchema, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { redisPasswordSecret, redisUrl, redisUrlProblems, streamKey } from '../redis-url.js';

export const sourceRedisStreamConfig = z.object({
  url: redisUrl,
  passwordSecret: redisPasswordSecret,
  stream: streamKey,
  start: z
    .enum(['earliest', 'latest'])
    .default('latest')
    .describe(
      'Where a fresh deploy starts: earliest (every entry the stream holds) or latest (only entries added after the start); a restart resumes from its checkpoint',
    ),
  format: z
    .enum(['json', 'fields'])
    .default('json')
    .describe('json: one entry field holds the record as a JSON object; fields: the event is all the entry fields, as strings'),
  field: z.string().min(1).default('data').describe('With format json: the entry field that holds the JSON record'),
  idField: z.string().min(1).optional().describe('Field to put the entry id in (e.g. "_id"); default: the id is not added'),
  timeField: z
    .string()
    .min(1)
    .optional()
    .describe('Field holding the event time (epoch ms or ISO-8601; dots for nested fields); default: the read time'),
  maxOutOfOrderness: durationSchema.default('0s').describe('How far behind the latest event time an event may arrive and still be on time'),
  blockMs: z
    .number()
    .int()
    .min(0)
    .max(5_000)
    .default(100)
    .describe('How long a read waits for new entries when there are none (ms); short, so a stopping pipeline is not held; 0: never wait'),
  stopAtEnd: z
    .boolean()
    .default(false)
    .describe('End the source when a read finds no more entries (backfills, tests); default: keep waiting for new ones'),
});

export type SourceRedisStreamConfig = z.output<typeof sourceRedisStreamConfig>;

/** In `stream`: replaced by the partition's index when the source is split (`parallelism`). */
export const PARTITION_PLACEHOLDER = '{partition}';

/** The stream key partition `index` reads. */
export function partitionStream(stream: string, index: number): string {
  return stream.replaceAll(PARTITION_PLACEHOLDER, String(index));
}

/** What the `error` port carries: the entry id, and the record or the entry's raw text. */
const ERROR_SCHEMA: EventSchema = { fields: { _id: 'string', _raw: 'string', _fields: 'object', _error: 'object' }, open: true };

export const sourceRedisStreamDefinition = defineNode<SourceRedisStreamConfig>({
  type: 'source.redis-stream',
  category: 'source',
  title: 'Redis stream',
  summary: 'Reads the entries of a Redis stream, in order, as they are added.',
  docs:
    'Reads a Redis stream (XREAD) in id order. Each entry is one event: by default its `data` ' +
    'field holds the record as a JSON object (`field` names another one); `format: fields` makes ' +
    'the event from all the entry fields, as strings. A fresh deploy starts at the `latest` entry ' +
    '(only what is added afterwards) or the `earliest`. The source position is the last entry id ' +
    'read: it is checkpointed with the pipeline, so a restart resumes right after it (no consumer ' +
    'group; nothing is acknowledged or deleted in Redis). An entry without the field, or whose ' +
    'field is not a JSON object, or without a readable `timeField`, goes to the `error` port with ' +
    'its entry id (`_id`). `stopAtEnd` ends the source once it has read everything there is. ' +
    'The password comes from the secret named in `passwordSecret`.',
  example: {
    url: 'redis://cache:6379/0',
    stream: 'orders',
    start: 'latest',
    format: 'json',
    field: 'data',
    timeField: 'ts',
    maxOutOfOrderness: '5s',
    blockMs: 100,
    stopAtEnd: false,
  },
  config: sourceRedisStreamConfig,
  split: {
    how: 'one stream per partition: `stream` names them with {partition} (orders:{partition} reads orders:0 to orders:N-1); producers may choose the stream by key with the documented key hash, fnv1a32(utf8(key)) mod N',
    guarantee: 'every entry of the N streams once, each stream in id order, each partition resuming from its own position',
    check: (c) =>
      typeof c.stream === 'string' && c.stream.includes(PARTITION_PLACEHOLDER)
        ? undefined
        : `with parallelism above 1 its stream must name the partitions with ${PARTITION_PLACEHOLDER} (e.g. "orders:${PARTITION_PLACEHOLDER}")`,
  },
  inputs: [],
  outputs: () => [
    { name: 'out', label: 'Events' },
    { name: 'error', label: 'Bad entries', description: 'Entries without the field, not a JSON object, or without a readable time' },
  ],
  check: (c) => {
    const problems: ConfigProblem[] = redisUrlProblems(c.url);
    if (c.format === 'fields' && c.field !== 'data') {
      problems.push({
        path: 'config.field',
        message: 'field applies to format json only (format fields reads every entry field)',
        severity: 'warning',
      });
    }
    return problems;
  },
  inferSchema: () => ({ out: UNKNOWN_SCHEMA, error: ERROR_SCHEMA }),
  bounded: (c) => c.stopAtEnd,
  connects: true,
  envRefFields: ['url'],
});
