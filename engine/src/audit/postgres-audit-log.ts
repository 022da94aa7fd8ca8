/** The audit log in PostgreSQL (with the Postgres store): insert-only rows, newest first on read. */
import type { PostgresStore } from '../store/postgres-store.js';
import type { AuditEntry, AuditLog, AuditQuery } from './audit-log.js';

export class PostgresAuditLog implements AuditLog {
  constructor(private readonly store: PostgresStore) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.store.pool.query(`INSERT INTO ${this.store.auditTable} (pipeline_id, entry) VALUES ($1, $2)`, [
      entry.pipelineId,
      JSON.stringify(entry),
    ]);
  }

  async list(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = q.limit ?? 200;
    const { rows } = q.pipelineId
      ? await this.store.pool.query<{ entry: AuditEntry }>(
          `SELECT entry FROM ${this.store.auditTable} WHERE pipeline_id = $1 ORDER BY seq DESC LIMIT $2`,
          [q.pipelineId, limit],
        )
      : await this.store.pool.query<{ entry: AuditEntry }>(`SELECT entry FROM ${this.store.auditTable} ORDER BY seq DESC LIMIT $1`, [
          limit,
        ]);
    return rows.map((r) => r.entry);
  }
}
