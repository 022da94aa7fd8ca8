/** The server on PostgreSQL (DATABASE_URL): examples imported once, deploys survive a restart, audit kept in the database. */
import { tempFolders } from '@sluice/nodes/testing';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './start-server.js';

const pgDir = tempFolders('sluice-pg-');

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `sluice_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const servers: RunningServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(async () => {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

describe('startServer with DATABASE_URL', () => {
  it('keeps pipelines, deployments and the audit log in PostgreSQL across a restart', async () => {
    const root = pgDir();
    const examplesDir = join(root, 'examples');
    mkdirSync(join(examplesDir, 'gen'), { recursive: true });
    writeFileSync(
      join(examplesDir, 'gen', 'gen.json'),
      JSON.stringify({
        format: 'sluice/v1',
        id: 'gen',
        nodes: [
          { id: 'g', type: 'source.generator', config: { scenario: 'orders', rate: 100 } },
          { id: 'c', type: 'sink.file', config: { path: 'g.jsonl' } },
        ],
        edges: [{ id: 'e', source: 'g', target: 'c' }],
      }),
    );
    const options = {
      port: 0,
      host: '127.0.0.1',
      dataDir: join(root, 'data'),
      examplesDir,
      editorDist: join(root, 'none'),
      databaseUrl: DATABASE_URL,
      databaseSchema: schema,
      log: () => undefined,
    };
    const first = await startServer(options);
    servers.push(first);
    expect((await fetch(`${first.url}/api/pipelines/gen/deploy`, { method: 'POST', headers: { 'x-sluice-user': 'ops' } })).status).toBe(
      200,
    );
    await servers.pop()!.close();

    const lines: string[] = [];
    const again = await startServer({ ...options, log: (l) => lines.push(l) });
    servers.push(again);
    expect(lines.join('\n')).toContain('redeployed: gen');
    const status = (await (await fetch(`${again.url}/api/pipelines/gen/status`)).json()) as { status: string };
    expect(status.status).toBe('running');
    const versions = (await (await fetch(`${again.url}/api/pipelines/gen/versions`)).json()) as { versions: { action: string }[] };
    expect(versions.versions.map((v) => v.action)).toEqual(['import', 'deploy']);
    const audit = (await (await fetch(`${again.url}/api/audit?pipeline=gen`)).json()) as { entries: { action: string; actor: string }[] };
    expect(audit.entries.map((e) => [e.action, e.actor])).toEqual([['deploy', 'ops']]);
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    const rows = (await c.query(`SELECT id FROM "${schema}".pipelines`)).rows;
    await c.end();
    expect(rows).toEqual([{ id: 'gen' }]);
  });
});
