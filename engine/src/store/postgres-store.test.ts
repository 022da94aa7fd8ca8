/** The store contract on the real PostgreSQL (127.0.0.1:5432), each test in its own schema. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresAuditLog } from '../audit/postgres-audit-log.js';
import { PostgresStore } from './postgres-store.js';
import { describeStoreContract } from './store.contract.js';

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
const stores: PostgresStore[] = [];

async function fresh(): Promise<PostgresStore> {
  const schema = `sluice_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  schemas.push(schema);
  const s = await PostgresStore.open({ databaseUrl: DATABASE_URL, schema, defaultBaseDir: '/data/files' });
  stores.push(s);
  return s;
}

afterAll(async () => {
  for (const s of stores) await s.close();
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

describeStoreContract('postgres', fresh);

describe('postgres store', () => {
  it('keeps a document exactly as sent (key order included) and survives a reconnect', async () => {
    const s = await fresh();
    const doc = { nodes: [], format: 'sluice/v1' as const, edges: [], name: 'z-first', description: 'keys out of order' };
    await s.put('p', doc, { author: 'a', action: 'save' });
    const schema = schemas.at(-1)!;
    const again = await PostgresStore.open({ databaseUrl: DATABASE_URL, schema, defaultBaseDir: '/x' });
    stores.push(again);
    expect(JSON.stringify((await again.get('p'))!.document)).toBe(JSON.stringify({ ...doc, id: 'p' }));
    expect((await again.get('p'))!.baseDir).toBe('/data/files');
  });

  it('keeps the audit log in the same database, newest first, per pipeline', async () => {
    const s = await fresh();
    const log = new PostgresAuditLog(s);
    const entry = (action: string, pipelineId: string) => ({
      at: new Date().toISOString(),
      actor: 'ana',
      role: 'business',
      action,
      pipelineId,
      summary: ['x 1 -> 2'],
      address: '127.0.0.1',
    });
    await log.append(entry('save', 'a'));
    await log.append(entry('deploy', 'a'));
    await log.append(entry('save', 'b'));
    expect((await log.list({ pipelineId: 'a' })).map((e) => e.action)).toEqual(['deploy', 'save']);
    expect((await log.list({ limit: 1 })).map((e) => [e.action, e.pipelineId])).toEqual([['save', 'b']]);
    expect((await log.list())[0]).toEqual(entry('save', 'b') && expect.objectContaining({ summary: ['x 1 -> 2'] }));
  });

  it('says clearly when the database cannot be used', async () => {
    await expect(PostgresStore.open({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test', defaultBaseDir: '/x' })).rejects.toThrow(
      /PostgreSQL at DATABASE_URL is not usable/,
    );
    await expect(PostgresStore.open({ databaseUrl: DATABASE_URL, schema: 'Bad-Name', defaultBaseDir: '/x' })).rejects.toThrow(
      /invalid schema name/,
    );
  });
});
