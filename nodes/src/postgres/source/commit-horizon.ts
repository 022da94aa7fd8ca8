/**
 * `waitForTransactions`: the cursor value up to which rows are final. A bigserial id is taken at
 * insert time but becomes visible at commit, so a row can commit after a higher id was read and
 * a plain cursor passes it by. Here the source notes the table's largest cursor M, then every
 * transaction open in this database at that moment (their virtual transaction ids, as
 * CREATE INDEX CONCURRENTLY waits for them). A row with a cursor <= M that was not yet visible
 * belongs to one of those (its id was taken before M's row committed), so once they have all
 * ended, every row <= M is visible or never will be: M is safe. Assumes ids taken in commit-free
 * order from one sequence without CACHE > 1 (a bigserial's default).
 */
import type pg from 'pg';
import { quoteIdent, quoteTable } from '../identifiers.js';

/** Transactions open in this database, other than this connection's; prepared ones too. */
const OPEN_SQL = `SELECT l.virtualxid AS v FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'virtualxid' AND l.granted AND l.pid <> pg_backend_pid() AND a.datname = current_database()
  UNION ALL SELECT 'prepared:' || gid FROM pg_prepared_xacts WHERE database = current_database()`;

export class CommitHorizon {
  /** A larger bound waiting for the transactions that were open when it was taken. */
  private pending: { max: string | null; open: string[] } | undefined;
  private safe: string | null = null;
  private readonly maxSql: string;

  constructor(
    private readonly client: pg.Client,
    table: string,
    cursorColumn: string,
  ) {
    this.maxSql = `SELECT max(${quoteIdent(cursorColumn)})::text AS m FROM ${quoteTable(table)}`;
  }

  /** True when the bound is the table's latest largest cursor (nothing held back). */
  get caughtUp(): boolean {
    return this.pending === undefined;
  }

  /** The largest cursor value that is safe to read up to now; null: none yet. */
  async bound(): Promise<string | null> {
    if (this.pending) await this.settle(this.pending);
    if (!this.pending) {
      const max = ((await this.client.query(this.maxSql)).rows[0] as { m: string | null }).m;
      // Listed after the max was read: a writer that had not committed by then is open now (or has since committed, and is visible).
      const open = await this.openTransactions();
      if (open.length === 0) this.safe = max ?? this.safe;
      else this.pending = { max, open };
    }
    return this.safe;
  }

  private async settle(p: { max: string | null; open: string[] }): Promise<void> {
    const now = new Set(await this.openTransactions());
    p.open = p.open.filter((v) => now.has(v));
    if (p.open.length === 0) {
      this.safe = p.max ?? this.safe;
      this.pending = undefined;
    }
  }

  private async openTransactions(): Promise<string[]> {
    return (await this.client.query(OPEN_SQL)).rows.map((r: { v: string }) => r.v);
  }
}
