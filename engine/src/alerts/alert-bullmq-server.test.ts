/**
 * A server on BullMQ (real Redis, a spawned worker) with a data rule and a sink node target:
 * the deploy is accepted (it was refused with a 422 before the workers counted), the rule's
 * state on GET /api/pipelines/:id/alerts is firing with the hand-computed share, and the
 * notification is written through the graph's sink.redis-stream node by the server, into the
 * stream the run writes. 200 events, every 8th failed: 25/200 = 0.125 above 0.1.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../api/test-support.js';
import { spawnWorkers } from '../cli/spawn-workers.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { type RunningServer, startServer } from '../server/start-server.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `${TEST_KEY_ROOT}-alert-server-${randomUUID().slice(0, 8)}`;
const schema = `sluice_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-alert-server-'));
const redis = new Redis(REDIS_URL);

afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  const pg = await import('pg');
  const c = new pg.default.Client({ connectionString: DATABASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('data rules and a sink node target on a BullMQ server', { timeout: 240_000 }, () => {
  it('deploys, fires at 0.125, and writes the notification through the node', async () => {
    const input = `${prefix}:in`;
    const output = `${prefix}:out`;
    const p = redis.pipeline();
    for (let i = 0; i < 200; i++) p.xadd(input, '*', 'data', JSON.stringify({ i, status: i % 8 === 0 ? 'failed' : 'ok' }));
    await p.exec();
    let server: RunningServer | undefined;
    const workers = spawnWorkers(1, { redisUrl: REDIS_URL, prefix });
    try {
      server = await startServer({
        port: 0,
        host: '127.0.0.1',
        dataDir: dir,
        examplesDir: join(dir, 'no-examples'),
        editorDist: join(dir, 'no-editor'),
        redisUrl: REDIS_URL,
        prefix,
        databaseUrl: DATABASE_URL,
        databaseSchema: schema,
        log: () => undefined,
      });
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${server!.url}${path}`, {
          method,
          ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        });
        return { status: res.status, json: (await res.json()) as any };
      };
      const doc = {
        format: 'sluice/v1',
        id: 'payments',
        nodes: [
          { id: 'src', type: 'source.redis-stream', config: { url: REDIS_URL, stream: input, start: 'earliest' } },
          { id: 'out', type: 'sink.redis-stream', config: { url: REDIS_URL, stream: output } },
        ],
        edges: [{ id: 'e1', source: 'src', target: 'out' }],
        alerts: {
          rules: [
            {
              id: 'failing',
              edge: 'e1',
              when: 'share_above',
              where: 'status == "failed"',
              value: 0.1,
              window: '1h',
              for: '0s',
              notify: ['bus'],
            },
          ],
          targets: [{ id: 'bus', type: 'node', node: 'out' }],
        },
      };
      expect((await call('POST', '/api/pipelines', doc)).status).toBe(201);
      await waitFor(async () => (await call('GET', '/api/cluster')).json.leader?.id !== undefined, 60_000);
      const deployed = await call('POST', '/api/pipelines/payments/deploy');
      expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
      // Firing once the 200 events are counted (a share of fewer could be above 0.1 on its way).
      await waitFor(async () => {
        const a = (await call('GET', '/api/pipelines/payments/alerts')).json.alerts[0];
        return a.state === 'firing' && a.value === 0.125;
      }, 180_000);
      const entries = async () => (await redis.xrange(output, '-', '+')).map(([, f]) => JSON.parse(f[1]!) as Record<string, unknown>);
      await waitFor(async () => (await entries()).some((e) => e.rule === 'failing'), 60_000);
      const all = await entries();
      expect(all.filter((e) => e.rule === undefined)).toHaveLength(200);
      expect(all.filter((e) => e.rule !== undefined)).toEqual([
        {
          pipeline: 'payments',
          rule: 'failing',
          name: 'failing',
          state: 'firing',
          condition: 'share of events on edge e1 with status == "failed" above 0.1 over 1h',
          value: 0.125,
          threshold: 0.1,
          since: expect.any(Number),
          at: expect.any(Number),
        },
      ]);
      expect((await call('POST', '/api/pipelines/payments/stop')).json.status).toBe('stopped');
      expect(await redis.keys(`${prefix}:a*{payments}*`)).toEqual([]);
    } finally {
      await server?.close();
      await workers.stop();
    }
  });
});
