import type { ConfigProblem } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { inlinePasswordProblems, secretName } from '../../sdk/secrets.js';
import { columnName, tableName } from '../identifiers.js';

/** The connection fields both PostgreSQL nodes share. */
export const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL starts with postgres:// (postgres://user@host:5432/database)')
  .describe('Connection URL without the password: postgres://user@host:5432/database');

export const passwordSecret = secretName
  .optional()
  .describe('Secret holding the password (the server reads SLUICE_SECRET_<name>); none: no password');

export const sinkPostgresConfig = z.object({
  url: postgresUrl,
  passwordSecret,
  table: tableName.describe('Table to write: name or schema.name, case-sensitive (always quoted)'),
  columns: z.array(columnName).min(1).describe('Columns to write; each takes the event field of the same name (missing: NULL)'),
  mode: z.enum(['insert', 'upsert']).default('insert').describe('insert: append rows; upsert: insert or update the row with the same key'),
  key: z.array(columnName).optional().describe('upsert: the columns of a unique key or primary key (ON CONFLICT)'),
  createTable: z.boolean().default(false).describe('Create the table when missing, with column types from the first events'),
});

export type SinkPostgresConfig = z.output<typeof sinkPostgresConfig>;

export function sinkPostgresProblems(c: SinkPostgresConfig): ConfigProblem[] {
  const problems = inlinePasswordProblems('url', c.url);
  const cols = new Set<string>();
  c.columns.forEach((col, i) => {
    if (cols.has(col)) problems.push({ path: `config.columns.${i}`, message: `column "${col}" is listed twice` });
    cols.add(col);
  });
  if (c.mode === 'upsert') {
    if (!c.key || c.key.length === 0)
      problems.push({ path: 'config.key', message: 'upsert needs key: the columns of a unique key or primary key' });
    c.key?.forEach((k, i) => {
      if (!cols.has(k)) problems.push({ path: `config.key.${i}`, message: `key column "${k}" is not in columns` });
    });
  } else if (c.key !== undefined) {
    problems.push({ path: 'config.key', message: 'key is used by mode upsert only', severity: 'warning' });
  }
  return problems;
}

export const sinkPostgresDefinition = defineNode<SinkPostgresConfig>({
  type: 'sink.postgres',
  category: 'sink',
  title: 'PostgreSQL',
  summary: 'Writes events as rows of a PostgreSQL table (insert or upsert).',
  docs:
    'Each event becomes one row: every listed column takes the event field of the same name ' +
    '(missing: NULL; objects and lists are written as JSON, for json/jsonb columns). Rows are ' +
    'written in one transaction per batch with multi-row INSERT statements. `mode: upsert` ' +
    'updates the row whose `key` columns match (ON CONFLICT), so a batch written twice after a ' +
    'crash leaves the table as if written once; `insert` may repeat rows after a crash. Names ' +
    'are case-sensitive. A write that fails (missing table, wrong type) fails the run with the ' +
    "table and PostgreSQL's message. The password comes from the secret `passwordSecret`.",
  example: {
    url: 'postgres://sluice@db:5432/shop',
    passwordSecret: 'SHOP_DB_PASSWORD',
    table: 'public.sku_prices',
    columns: ['sku', 'price', 'updated_at'],
    mode: 'upsert',
    key: ['sku'],
    createTable: false,
  },
  config: sinkPostgresConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [],
  check: sinkPostgresProblems,
  connects: true,
  envRefFields: ['url'],
});
