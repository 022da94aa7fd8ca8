/**
 * sink.postgres: buffers rows in `process` (synchronous) and writes them in `flush()`, one
 * transaction of multi-row INSERTs per flush. The BullMQ runtime awaits flush() after every
 * batch, the embedded one at least every 200 ms; the sink also writes on its own once enough
 * rows wait (bounded memory) - writes are chained, so they stay in order, and a failed one
 * fails the run at the next batch or flush.
 */
import type { Event } from '@sluice/shared';
import type pg from 'pg';
import type { OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import { connectPostgres, messageOf } from '../connection.js';
import type { SinkPostgresConfig } from './definition.js';
import { createTableSql, insertSql, rowsPerStatement } from './sql.js';

/** Rows waiting that start a write without waiting for flush(). */
const WRITE_AT_ROWS = 5000;

export const sinkPostgresOperator: OperatorFactory<SinkPostgresConfig> = async (ctx) => {
  const c = ctx.config;
  const client = await connectPostgres(ctx);
  if (!c.createTable) {
    // Fail at start, not at the first write, when the table is not there.
    try {
      if ((await findTable(client, c.table)) === null) throw missingTable(c.table);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }
  return new PostgresSink(client, ctx.nodeId, c);
};

/**
 * The table's oid, or null when there is no table (or view) by that name, looked up as the
 * INSERT will (search_path). Also used by "Check connection" (source-postgres/check.ts).
 */
export async function findTable(client: pg.Client, table: string): Promise<number | null> {
  try {
    const t = (await client.query<{ t: string | null }>('SELECT to_regclass($1)::oid::text AS t', [quotedName(table)])).rows[0]?.t;
    return t === null || t === undefined ? null : Number(t);
  } catch (err) {
    throw new Error(`cannot check table ${table}: ${messageOf(err)}`);
  }
}

/** What the start says when the table is missing and createTable is off. */
export function missingTable(table: string): Error {
  return new Error(`table ${table} does not exist${caseHint(table)} (or set createTable: true)`);
}

/** to_regclass reads SQL syntax: quote the parts so the name keeps its case. */
function quotedName(table: string): string {
  return table
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
}

/** Names are case-sensitive here; unquoted SQL folds them to lower case. */
function caseHint(table: string): string {
  return /[A-Z]/.test(table) ? `; names are case-sensitive: a table created as ${table} without quotes is ${table.toLowerCase()}` : '';
}

class PostgresSink implements SinkOperator {
  private rows: unknown[][] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: string | undefined;
  private tableReady: boolean;
  private closed = false;
  private readonly key: readonly string[] | undefined;

  constructor(
    private readonly client: pg.Client,
    private readonly nodeId: string,
    private readonly c: SinkPostgresConfig,
  ) {
    this.tableReady = !c.createTable;
    this.key = c.mode === 'upsert' ? c.key : undefined;
  }

  process(batch: readonly Event[]): void {
    if (this.failure) throw new Error(this.failure);
    const cols = this.c.columns;
    for (const e of batch) {
      const row = new Array<unknown>(cols.length);
      for (let i = 0; i < cols.length; i++) row[i] = e[cols[i]!];
      this.rows.push(row);
    }
    if (this.rows.length >= WRITE_AT_ROWS) this.startWrite();
  }

  async flush(): Promise<void> {
    this.startWrite();
    await this.writing;
    if (this.failure) throw new Error(`${this.nodeId}: ${this.failure}`);
  }

  private startWrite(): void {
    if (this.rows.length === 0 || this.closed) return;
    const rows = this.rows;
    this.rows = [];
    this.writing = this.writing.then(async () => {
      if (this.failure) return; // the run is failing: write nothing more
      try {
        await this.write(rows);
      } catch (err) {
        this.failure = `cannot write to table ${this.c.table}: ${messageOf(err)}${/does not exist/.test(messageOf(err)) ? caseHint(this.c.table) : ''}`;
      }
    });
  }

  /** One transaction: all rows of the flush or none. */
  private async write(all: unknown[][]): Promise<void> {
    const { table, columns } = this.c;
    const rows = this.key ? lastPerKey(all, columns, this.key) : all;
    const client = this.client;
    await client.query('BEGIN');
    try {
      // Types from every row of the flush, also those an upsert replaced by a later one.
      if (!this.tableReady) await client.query(createTableSql(table, columns, all, this.key));
      const per = rowsPerStatement(columns.length);
      for (let start = 0; start < rows.length; start += per) {
        const chunk = rows.slice(start, start + per);
        const params: unknown[] = [];
        for (const r of chunk) for (const v of r) params.push(toParam(v));
        await client.query(insertSql(table, columns, chunk.length, this.key), params);
      }
      await client.query('COMMIT');
      this.tableReady = true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // The runtime flushed before closing; wait for a write still running, then disconnect.
    await this.writing;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }
}

/**
 * ON CONFLICT DO UPDATE refuses to touch one row twice in a statement: of rows sharing a key,
 * the last one wins (as if they were written one after the other), in its position.
 */
function lastPerKey(rows: unknown[][], columns: readonly string[], key: readonly string[]): unknown[][] {
  const idx = key.map((k) => columns.indexOf(k));
  const byKey = new Map<string, unknown[]>();
  for (const r of rows) {
    const k = JSON.stringify(idx.map((i) => r[i] ?? null));
    byKey.delete(k);
    byKey.set(k, r);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

/** Objects and lists go as JSON text (json/jsonb columns): pg would send a JS array as a Postgres array. */
function toParam(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}
