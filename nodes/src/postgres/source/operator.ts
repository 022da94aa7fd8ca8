/**
 * source.postgres: reads a table in the order of an increasing cursor column, `WHERE cursor >
 * last ORDER BY cursor LIMIT n`; split (`parallelism`), each partition adds its share of a hash
 * of `splitBy` to the condition and keeps its own cursor. The last cursor is kept as PostgreSQL's own text for it and
 * sent back as an untyped parameter, so PostgreSQL reads it as the column's type: exact for
 * bigint beyond 2^53, numeric, and timestamps with microseconds alike.
 */
import { durationMs, type Event } from '@sluice/shared';
import type pg from 'pg';
import type { OperatorContext, SourceBatch, SourceFactory, SourceOperator } from '../../sdk/operator.js';
import { connectPostgres, messageOf } from '../connection.js';
import { quoteIdent, quoteTable } from '../identifiers.js';
import { RecordClock } from '../../sdk/source-time.js';
import { CommitHorizon } from './commit-horizon.js';
import type { SourcePostgresConfig } from './definition.js';
import { jsonFriendlyTypes } from './values.js';

/** The checkpoint: the last cursor read (PostgreSQL's text for it) and the largest event time. */
export interface PostgresPosition {
  cursor: string | null;
  maxTime: number | null;
}

/** The cursor's text rides along each row under this name, and is taken off again. */
const CURSOR_ALIAS = '__sluice_cursor';

export const sourcePostgresOperator: SourceFactory<SourcePostgresConfig> = async (ctx) => {
  const share = shareOf(ctx);
  const client = await connectPostgres(ctx, { types: jsonFriendlyTypes });
  try {
    await probeTable(client, ctx.config, share);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return new PostgresSource(client, ctx, share);
};

/** Which share of the rows a split source reads (`parallelism`; docs/source-partitions.md). */
export interface RowShare {
  index: number;
  of: number;
}

/**
 * The rows of partition `index` of `of`: abs(hashtext(column::text)) mod N. hashtext is the
 * hash PostgreSQL's own hash indexes and partitions of text use: the same on every partition's
 * query (one server), for every type with a text form. Cast to bigint before abs: abs of the
 * smallest int4 overflows. A NULL has no hash and goes to partition 0, so no row is left out.
 * N and the index are integers from the plan, never user text.
 */
export function shareCondition(column: string, share: RowShare): string {
  if (!Number.isInteger(share.of) || !Number.isInteger(share.index) || share.index < 0 || share.index >= share.of)
    throw new Error(`not a partition: ${share.index} of ${share.of}`);
  return `coalesce(mod(abs(hashtext((${quoteIdent(column)})::text)::bigint), ${share.of}), 0) = ${share.index}`;
}

/** The split's share of this instance, or undefined when it reads the whole table. */
function shareOf(ctx: OperatorContext<SourcePostgresConfig>): RowShare | undefined {
  const p = ctx.partition;
  if (!p || p.of <= 1) return undefined;
  // The validator refuses a split without splitBy; a host that skipped it gets a clear error.
  if (ctx.config.splitBy === undefined)
    throw new Error(`${ctx.nodeId}: parallelism ${p.of} needs splitBy (the column whose hash splits the rows)`);
  return p;
}

/**
 * The source's queries: the first read, and the reads after a cursor; `bounded`: only up to the
 * commit horizon ($3, see commit-horizon.ts). Names validated and quoted.
 */
function readSql(c: SourcePostgresConfig, bounded = false, share?: RowShare): { first: string; next: string } {
  const cur = quoteIdent(c.cursorColumn);
  const cols = c.columns ? c.columns.map(quoteIdent).join(', ') : '*';
  const select = `SELECT ${cols}, ${cur}::text AS ${quoteIdent(CURSOR_ALIAS)} FROM ${quoteTable(c.table)}`;
  const mine = share && c.splitBy !== undefined ? ` AND ${shareCondition(c.splitBy, share)}` : '';
  // Rows with a NULL cursor are never read (they have no place in the order).
  const first = (bounded ? `${cur} <= $2` : `${cur} IS NOT NULL`) + mine;
  const next = (bounded ? `${cur} > $2 AND ${cur} <= $3` : `${cur} > $2`) + mine;
  return { first: `${select} WHERE ${first} ORDER BY ${cur} LIMIT $1`, next: `${select} WHERE ${next} ORDER BY ${cur} LIMIT $1` };
}

/**
 * Fail at start, not at the first poll, when the table or a column is not there (or may not be
 * read): the first read with LIMIT 0, which reads no row. Also "Check connection" (check.ts).
 */
export async function probeTable(client: pg.Client, c: SourcePostgresConfig, share?: RowShare): Promise<void> {
  try {
    await client.query(readSql(c, false, share).first, [0]);
  } catch (err) {
    const msg = messageOf(err);
    // PostgreSQL's own hint ("Perhaps you meant...") says it better when it gives one.
    const hint =
      /does not exist/.test(msg) &&
      !msg.includes(' hint: ') &&
      /[A-Z]/.test(c.table + (c.columns ?? []).join('') + c.cursorColumn + (c.splitBy ?? ''))
        ? '; names are case-sensitive (always quoted)'
        : '';
    throw new Error(`cannot read table ${c.table}: ${msg}${hint}`);
  }
}

class PostgresSource implements SourceOperator {
  private cursor: string | null = null;
  /** ctx.now() before which no query is sent: set after a read that found the end. */
  private quietUntil = Number.NEGATIVE_INFINITY;
  private ended = false;
  private closed = false;
  private readonly clock: RecordClock;
  private readonly pollMs: number;
  private readonly firstSql: string;
  private readonly nextSql: string;
  private readonly horizon: CommitHorizon | undefined;

  constructor(
    private readonly client: pg.Client,
    private readonly ctx: OperatorContext<SourcePostgresConfig>,
    share: RowShare | undefined,
  ) {
    const c = ctx.config;
    this.clock = new RecordClock(c.timeField, durationMs(c.maxOutOfOrderness));
    this.pollMs = durationMs(c.pollInterval);
    const sql = readSql(c, c.waitForTransactions, share);
    this.firstSql = sql.first;
    this.nextSql = sql.next;
    this.horizon = c.waitForTransactions ? new CommitHorizon(client, c.table, c.cursorColumn) : undefined;
  }

  async poll(max: number): Promise<SourceBatch> {
    const now = this.ctx.now();
    if (this.ended || now < this.quietUntil) return this.batch([], [], now);
    const limit = Math.max(1, Math.min(max, this.ctx.config.batchSize));
    let rows: Record<string, unknown>[];
    try {
      rows = await this.read(limit);
    } catch (err) {
      // Not wrapped by the runtime: name the node here.
      throw new Error(`${this.ctx.nodeId}: cannot read table ${this.ctx.config.table}: ${messageOf(err)}`);
    }
    // Fewer rows than asked: this read reached the end of the table as it is now (or, waiting
    // for transactions, of what is safe to read yet: not the end of a backfill).
    if (rows.length < limit) {
      if (this.ctx.config.stopAtEnd && (this.horizon?.caughtUp ?? true)) this.ended = true;
      else this.quietUntil = now + this.pollMs;
    }
    const events: Event[] = [];
    const errors: { event: Event; error: string }[] = [];
    for (const row of rows) {
      this.cursor = row[CURSOR_ALIAS] as string;
      delete row[CURSOR_ALIAS];
      this.accept(row, now, events, errors);
    }
    return this.batch(events, errors, now);
  }

  private async read(limit: number): Promise<Record<string, unknown>[]> {
    const params: unknown[] = this.cursor === null ? [limit] : [limit, this.cursor];
    if (this.horizon) {
      const bound = await this.horizon.bound();
      if (bound === null) return [];
      params.push(bound);
    }
    return (await this.client.query(this.cursor === null ? this.firstSql : this.nextSql, params)).rows;
  }

  private accept(row: Record<string, unknown>, now: number, events: Event[], errors: { event: Event; error: string }[]): void {
    const why = this.clock.stampRecord(row, now);
    if (why === undefined) events.push(row as Event);
    else errors.push({ event: row as Event, error: `${this.ctx.config.cursorColumn} ${this.cursor}: ${why}` });
  }

  private batch(events: Event[], errors: { event: Event; error: string }[], now: number): SourceBatch {
    const watermark = this.clock.watermarkAt(now);
    const b: SourceBatch = { events, watermark, done: this.ended };
    if (errors.length > 0) b.errors = errors;
    return b;
  }

  position(): PostgresPosition {
    return { cursor: this.cursor, maxTime: Number.isFinite(this.clock.maxTime) ? this.clock.maxTime : null };
  }

  seek(position: unknown): void {
    const p = position as Partial<PostgresPosition> | null;
    if (!p || (p.cursor !== null && typeof p.cursor !== 'string'))
      throw new Error(`not a source.postgres position: ${JSON.stringify(position)}`);
    this.cursor = p.cursor;
    this.clock.maxTime = typeof p.maxTime === 'number' ? p.maxTime : Number.NEGATIVE_INFINITY;
    this.quietUntil = Number.NEGATIVE_INFINITY;
    this.ended = false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }
}
