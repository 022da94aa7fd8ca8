/**
 * The PostgreSQL store (`DATABASE_URL`): the same contract as the file store, for servers that
 * already run a database and want backups, replicas and several servers over one store.
 *
 *   <schema>.pipelines  id, version, updated_at, base_dir, document, deployment, alert_states
 *   <schema>.versions   pipeline_id, version, at, author, action, note, document
 *
 * Documents are `json`, not `jsonb`: stored as sent, key order and all (an export is what was
 * saved). A save is one transaction that locks the pipeline's row, so concurrent saves of one
 * pipeline get consecutive version numbers and a crash never leaves half a save.
 */
import pg from 'pg';
import type { PipelineDocument, StoredPipeline, VersionInfo } from '@sluice/shared';
import type { AlertState } from '../alerts/alert-state.js';
import { checkPipelineId, DRAFT_ACTION, type Deployment, type PipelineStore, type PutMeta } from './pipeline-store.js';

export interface PostgresStoreOptions {
  databaseUrl: string;
  /** Tables live in this schema (default `sluice`); tests use their own. */
  schema?: string;
  /** Where pipelines created without a baseDir keep their files (they are still files). */
  defaultBaseDir: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface PipelineRow {
  id: string;
  version: number;
  updated_at: string;
  base_dir: string;
  document: PipelineDocument;
  deployment: Deployment | null;
}

export class PostgresStore implements PipelineStore {
  readonly defaultBaseDir: string;
  private readonly s: string;

  private constructor(
    readonly pool: pg.Pool,
    o: PostgresStoreOptions,
  ) {
    this.s = `"${o.schema ?? 'sluice'}"`;
    this.defaultBaseDir = o.defaultBaseDir;
  }

  /** Connect and create the tables when missing. */
  static async open(o: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = o.schema ?? 'sluice';
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]*`);
    const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 4 });
    // An idle client losing its connection must not crash the server; the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PostgresStore(pool, o);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end();
      throw new Error(`PostgreSQL at DATABASE_URL is not usable: ${(err as Error).message}`);
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE SCHEMA IF NOT EXISTS ${this.s};
      CREATE TABLE IF NOT EXISTS ${this.s}.pipelines (
        id text PRIMARY KEY, version integer NOT NULL, updated_at text NOT NULL,
        base_dir text NOT NULL, document json NOT NULL, deployment json);
      CREATE TABLE IF NOT EXISTS ${this.s}.versions (
        pipeline_id text NOT NULL REFERENCES ${this.s}.pipelines(id) ON DELETE CASCADE,
        version integer NOT NULL, at text NOT NULL, author text NOT NULL, action text NOT NULL,
        note text, document json NOT NULL, PRIMARY KEY (pipeline_id, version));
      CREATE TABLE IF NOT EXISTS ${this.s}.audit (
        seq bigserial PRIMARY KEY, pipeline_id text NOT NULL, entry json NOT NULL);
      CREATE INDEX IF NOT EXISTS audit_pipeline ON ${this.s}.audit (pipeline_id, seq);
      ALTER TABLE ${this.s}.pipelines ADD COLUMN IF NOT EXISTS alert_states json;
    `);
  }

  /** The audit table's qualified name (postgres-audit-log.ts). */
  get auditTable(): string {
    return `${this.s}.audit`;
  }

  private stored(r: PipelineRow): StoredPipeline {
    return { id: r.id, document: r.document, version: r.version, updatedAt: r.updated_at, baseDir: r.base_dir };
  }

  async list(): Promise<StoredPipeline[]> {
    const { rows } = await this.pool.query<PipelineRow>(`SELECT * FROM ${this.s}.pipelines WHERE version > 0 ORDER BY id`);
    return rows.map((r) => this.stored(r));
  }

  async get(id: string): Promise<StoredPipeline | undefined> {
    checkPipelineId(id);
    const { rows } = await this.pool.query<PipelineRow>(`SELECT * FROM ${this.s}.pipelines WHERE id = $1 AND version > 0`, [id]);
    return rows[0] ? this.stored(rows[0]) : undefined;
  }

  async put(id: string, document: PipelineDocument, meta: PutMeta): Promise<StoredPipeline> {
    checkPipelineId(id);
    const doc = { ...document, id };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // A placeholder row to lock when the pipeline is new; invisible to others until commit.
      await client.query(
        `INSERT INTO ${this.s}.pipelines (id, version, updated_at, base_dir, document) VALUES ($1, 0, '', $2, '{}') ON CONFLICT (id) DO NOTHING`,
        [id, meta.baseDir ?? this.defaultBaseDir],
      );
      const prev = (
        await client.query<{ version: number; base_dir: string; deployment: Deployment | null }>(
          `SELECT version, base_dir, deployment FROM ${this.s}.pipelines WHERE id = $1 FOR UPDATE`,
          [id],
        )
      ).rows[0]!;
      // An autosave after an autosave by the same author replaces it, unless that one is deployed.
      let amend = false;
      if (meta.amendDraft && meta.action === DRAFT_ACTION && prev.version > 0 && prev.deployment?.version !== prev.version) {
        const latest = (
          await client.query<{ action: string; author: string }>(
            `SELECT action, author FROM ${this.s}.versions WHERE pipeline_id = $1 AND version = $2`,
            [id, prev.version],
          )
        ).rows[0];
        amend = latest?.action === DRAFT_ACTION && latest.author === meta.author;
      }
      const version = amend ? prev.version : prev.version + 1;
      const at = new Date().toISOString();
      const baseDir = meta.baseDir ?? prev.base_dir;
      const json = JSON.stringify(doc);
      if (amend)
        await client.query(`UPDATE ${this.s}.versions SET at = $3, note = $4, document = $5 WHERE pipeline_id = $1 AND version = $2`, [
          id,
          version,
          at,
          meta.note ?? null,
          json,
        ]);
      else
        await client.query(
          `INSERT INTO ${this.s}.versions (pipeline_id, version, at, author, action, note, document) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [id, version, at, meta.author, meta.action, meta.note ?? null, json],
        );
      await client.query(`UPDATE ${this.s}.pipelines SET version = $2, updated_at = $3, base_dir = $4, document = $5 WHERE id = $1`, [
        id,
        version,
        at,
        baseDir,
        json,
      ]);
      await client.query('COMMIT');
      return { id, document: doc, version, updatedAt: at, baseDir };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async delete(id: string): Promise<boolean> {
    checkPipelineId(id);
    const r = await this.pool.query(`DELETE FROM ${this.s}.pipelines WHERE id = $1 AND version > 0`, [id]);
    return (r.rowCount ?? 0) > 0;
  }

  async versions(id: string): Promise<VersionInfo[]> {
    checkPipelineId(id);
    const { rows } = await this.pool.query<VersionInfo & { note: string | null }>(
      `SELECT version, at, author, action, note FROM ${this.s}.versions WHERE pipeline_id = $1 ORDER BY version`,
      [id],
    );
    return rows.map(({ note, ...v }) => (note === null ? v : { ...v, note }));
  }

  async getVersion(id: string, version: number): Promise<PipelineDocument | undefined> {
    checkPipelineId(id);
    if (!Number.isSafeInteger(version) || version < 1 || version > 2_147_483_647) return undefined;
    const { rows } = await this.pool.query<{ document: PipelineDocument }>(
      `SELECT document FROM ${this.s}.versions WHERE pipeline_id = $1 AND version = $2`,
      [id, version],
    );
    return rows[0]?.document;
  }

  async recordDeployment(id: string, deployment: Deployment | null): Promise<void> {
    checkPipelineId(id);
    // An undeploy drops the alert states with the record; a redeploy keeps them.
    const states = deployment === null ? ', alert_states = NULL' : '';
    const r = await this.pool.query(`UPDATE ${this.s}.pipelines SET deployment = $2${states} WHERE id = $1 AND version > 0`, [
      id,
      deployment === null ? null : JSON.stringify(deployment),
    ]);
    if (deployment !== null && r.rowCount === 0) throw new Error(`no pipeline "${id}" to record a deployment for`);
  }

  async getDeployment(id: string): Promise<Deployment | null> {
    checkPipelineId(id);
    const { rows } = await this.pool.query<{ deployment: Deployment | null }>(
      `SELECT deployment FROM ${this.s}.pipelines WHERE id = $1 AND version > 0`,
      [id],
    );
    return rows[0]?.deployment ?? null;
  }

  async listDeployed(): Promise<{ id: string; deployment: Deployment }[]> {
    const { rows } = await this.pool.query<{ id: string; deployment: Deployment }>(
      `SELECT id, deployment FROM ${this.s}.pipelines WHERE version > 0 AND deployment IS NOT NULL ORDER BY id`,
    );
    return rows;
  }

  async getAlertStates(id: string): Promise<Record<string, AlertState>> {
    checkPipelineId(id);
    const { rows } = await this.pool.query<{ alert_states: Record<string, AlertState> | null }>(
      `SELECT alert_states FROM ${this.s}.pipelines WHERE id = $1`,
      [id],
    );
    return rows[0]?.alert_states ?? {};
  }

  async putAlertStates(id: string, states: Record<string, AlertState>): Promise<boolean> {
    checkPipelineId(id);
    // One statement: written only while the deployment record is there (an undeploy wins).
    const r = await this.pool.query(`UPDATE ${this.s}.pipelines SET alert_states = $2 WHERE id = $1 AND deployment IS NOT NULL`, [
      id,
      JSON.stringify(states),
    ]);
    return r.rowCount === 1;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
