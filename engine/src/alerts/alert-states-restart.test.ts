/**
 * The embedded server keeps alert states in its store (files, or PostgreSQL with DATABASE_URL):
 * a real server with a firing rule and a pending one is closed and started again on the same
 * data folder; the restarted server measures the rules itself and finds them as they were (the
 * firing one not notified again, the pending one with its `for` clock), and an undeploy deletes
 * the states. Before, the restarted server started both at ok and fired the first again.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../api/test-support.js';
import { type RunningServer, startServer } from '../server/start-server.js';
import { type HookReceiver, startHookReceiver } from './hook-receiver.js';

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `sluice_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const root = mkdtempSync(join(tmpdir(), 'sluice-alert-restart-'));
let receiver: HookReceiver;
let hooks: HookReceiver['hooks'] = [];
let hookUrl = '';

beforeAll(async () => {
  receiver = await startHookReceiver();
  hooks = receiver.hooks;
  hookUrl = receiver.url;
});

afterAll(async () => {
  await receiver.close();
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
  rmSync(root, { recursive: true, force: true });
});

type View = { rule: string; state: string; since?: number; measuredAt?: number };

describe.each([
  { store: 'files', database: {} },
  { store: 'PostgreSQL', database: { databaseUrl: DATABASE_URL, databaseSchema: schema } },
])('alert states across a restart of the embedded server ($store)', ({ store, database }) => {
  it('no second firing, the pending clock kept; an undeploy forgets them', { timeout: 180_000 }, async () => {
    hooks.length = 0;
    const dataDir = join(root, store);
    const start = () =>
      startServer({
        port: 0,
        host: '127.0.0.1',
        dataDir,
        examplesDir: join(root, 'no-examples'),
        editorDist: join(root, 'no-editor'),
        ...database,
        log: () => undefined,
      });
    let server: RunningServer | undefined = await start();
    try {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${server!.url}${path}`, {
          method,
          ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        });
        return { status: res.status, json: (await res.json()) as any };
      };
      const view = async () => (await call('GET', '/api/pipelines/watched/alerts')).json.alerts as View[];
      const rule = (v: View[], id: string) => v.find((r) => r.rule === id)!;
      // 100 events/s, far below 1e9: both rules hold as soon as a rate is measured (10 s of samples).
      const doc = {
        format: 'sluice/v1',
        id: 'watched',
        nodes: [
          { id: 'orders', type: 'source.generator', config: { scenario: 'orders', rate: 100, seed: 1 } },
          { id: 'out', type: 'sink.file', config: { path: 'orders.jsonl' } },
        ],
        edges: [{ id: 'e1', source: 'orders', target: 'out' }],
        alerts: {
          rules: [
            { id: 'fires', node: 'orders', when: 'rate_below', value: 1e9, for: '2s', notify: ['hook'] },
            { id: 'waits', node: 'orders', when: 'rate_below', value: 1e9, for: '1h', notify: ['hook'] },
          ],
          targets: [{ id: 'hook', type: 'webhook', url: hookUrl }],
        },
      };
      expect((await call('POST', '/api/pipelines', doc)).status).toBe(201);
      expect((await call('POST', '/api/pipelines/watched/deploy')).status).toBe(200);
      await waitFor(async () => rule(await view(), 'fires').state === 'firing', 60_000);
      await waitFor(() => hooks.length === 1, 30_000);
      const before = await view();
      const firingSince = rule(before, 'fires').since!;
      const pendingSince = rule(before, 'waits').since!;
      expect(rule(before, 'waits').state).toBe('pending');
      expect(hooks).toEqual([expect.objectContaining({ rule: 'fires', state: 'firing', since: firingSince })]);

      await server.close();
      server = undefined;
      server = await start();
      const restarted = Date.now();
      expect((await call('GET', '/api/pipelines/watched/status')).json.status).toBe('running');
      // Measured by the restarted server with its own samples (a rate needs 10 s of them).
      await waitFor(async () => (rule(await view(), 'fires').measuredAt ?? 0) > restarted + 10_000, 60_000);
      const after = await view();
      expect(rule(after, 'fires')).toMatchObject({ state: 'firing', since: firingSince });
      expect(rule(after, 'waits')).toMatchObject({ state: 'pending', since: pendingSince });
      expect(hooks).toHaveLength(1);

      // A stop deletes them: deployed again, the rules start from ok (and fire anew).
      expect((await call('POST', '/api/pipelines/watched/stop')).json.status).toBe('stopped');
      await server.close();
      server = undefined;
      server = await start();
      expect((await call('GET', '/api/pipelines/watched/alerts')).json.alerts.map((a: View) => a.state)).toEqual(['ok', 'ok']);
      expect((await call('POST', '/api/pipelines/watched/deploy')).status).toBe(200);
      const redeployed = Date.now();
      await waitFor(async () => rule(await view(), 'fires').state === 'firing', 60_000);
      expect(rule(await view(), 'fires').since!).toBeGreaterThanOrEqual(redeployed);
      await waitFor(() => hooks.length === 2, 30_000);
      expect(hooks[1]).toMatchObject({ rule: 'fires', state: 'firing' });
    } finally {
      await server?.close();
    }
  });
});
