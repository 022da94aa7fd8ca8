import { durationSchema, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { inlinePasswordProblems } from '../../sdk/secrets.js';
import { passwordSecret, postgresUrl } from '../sink/definition.js';
import { columnName, tableName } from '../identifiers.js';

export const sourcePostgresConfig = z.object({
  url: postgresUrl,
  passwordSecret,
  table: tableName.describe('Table to read: name or schema.name, case-sensitive (always quoted)'),
  cursorColumn: columnName.describe('A unique, increasing column (a bigserial id): rows are read in its order, each once'),
  columns: z.array(columnName).min(1).optional().describe('Columns to read; default: all'),
  splitBy: columnName
    .optional()
    .describe(
      'With parallelism N above 1: the column whose hash splits the rows, partition p reading the rows where hashtext(column::text) mod N = p (NULL: partition 0); each partition keeps its own cursor',
    ),
  pollInterval: durationSchema.default('1s').describe('How long to wait before asking again once every row was read'),
  batchSize: z.number().int().min(1).max(100_000).default(1000).describe('Rows per query at most'),
  timeField: z
    .string()
    .min(1)
    .optional()
    .describe('Field holding the event time (epoch ms or ISO-8601, e.g. a timestamp column); default: the read time'),
  maxOutOfOrderness: durationSchema.default('0s').describe('How far behind the latest event time an event may arrive and still be on time'),
  stopAtEnd: z.boolean().default(false).describe('End once every row was read (a backfill); default: keep polling for new rows'),
  waitForTransactions: z
    .boolean()
    .default(false)
    .describe(
      'Read a row only once no transaction still open could commit a lower cursor: a row committed late behind a higher id is then read too, at the cost of waiting for the longest open transaction in the database',
    ),
});

export type SourcePostgresConfig = z.output<typeof sourcePostgresConfig>;

export const sourcePostgresDefinition = defineNode<SourcePostgresConfig>({
  type: 'source.postgres',
  category: 'source',
  title: 'PostgreSQL',
  summary: 'Reads the rows of a PostgreSQL table in the order of an increasing column, then new ones as they come.',
  docs:
    'Reads rows whose `cursorColumn` is above the last one read, in that order, `batchSize` at ' +
    'a time; once it has caught up it asks again every `pollInterval`. The cursor is the ' +
    "source's checkpoint, so a restarted pipeline resumes after the last row it read. The " +
    'cursor column must be unique and only grow (a bigserial id). `stopAtEnd` ends the source ' +
    'when it has read every row (a backfill). Without `waitForTransactions` a row whose ' +
    'transaction commits after a higher id was read is never read; with it, rows wait until ' +
    'every transaction that could still commit a lower id has ended. Values: bigint and numeric as numbers when exact, ' +
    'else strings; timestamps as ISO-8601 strings (UTC); json/jsonb as objects. The password ' +
    'comes from the secret `passwordSecret`. With `parallelism` N, `splitBy` names a column: ' +
    'partition p reads the rows whose hash of that column mod N is p, each with its own cursor.',
  example: {
    url: 'postgres://sluice@db:5432/shop',
    passwordSecret: 'SHOP_DB_PASSWORD',
    table: 'public.orders',
    cursorColumn: 'id',
    pollInterval: '1s',
    batchSize: 1000,
    timeField: 'created_at',
    maxOutOfOrderness: '5s',
    stopAtEnd: false,
    waitForTransactions: true,
  },
  config: sourcePostgresConfig,
  split: {
    how: 'by a hash of the column `splitBy`: partition p of N reads the rows where abs(hashtext(splitBy::text)) mod N = p (a NULL goes to partition 0), each in cursor order with its own cursor',
    guarantee:
      "every row of parallelism 1 once (the partitions are disjoint and cover the table); each partition in cursor order, none across partitions: a downstream window sees them by the minimum of the partitions' watermarks",
    check: (c) =>
      typeof c.splitBy === 'string'
        ? undefined
        : 'with parallelism above 1 it needs splitBy: the column whose hash splits the rows (e.g. "customer_id")',
  },
  inputs: [],
  outputs: () => [
    { name: 'out', label: 'Rows' },
    { name: 'error', label: 'Bad records', description: 'Rows without a readable time' },
  ],
  check: (c) => inlinePasswordProblems('url', c.url),
  inferSchema: () => ({ out: UNKNOWN_SCHEMA, error: UNKNOWN_SCHEMA }),
  bounded: (c) => c.stopAtEnd,
  connects: true,
  envRefFields: ['url'],
});
