/** In BullMQ mode the recording lives in Redis: it feeds previews and outlives a server restart. */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { WorkerPool } from '../runners/bullmq/worker-pool.js';
import { type RunningServer, startServer } from './start-server.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const recqDir = tempFolders('sluice-recq-');

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `${TEST_KEY_ROOT}-recq-${randomUUID().slice(0, 8)}`;
const servers: RunningServer[] = [];
const pools: WorkerPool[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const p of pools.splice(0)) await p.close();
});
afterAll(() => deletePrefixKeys(REDIS, PREFIX));

// Every stage runs on workers, the source too: the worker records what it reads, in Redis.
const doc = {
  format: 'sluice/v1',
  id: 'gen',
  params: { min: { type: 'number', value: 1 } },
  nodes: [
    { id: 'orders', type: 'source.generator', config: { scenario: 'orders', count: 700, seed: 5 } },
    { id: 'keep', type: 'filter', config: { expression: 'quantity >= params.min' } },
    { id: 'out', type: 'sink.file', config: { path: 'gen.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'orders', target: 'keep' },
    { id: 'e2', source: 'keep', target: 'out' },
  ],
};

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const r = await fetch(url, init);
  return { status: r.status, body: await r.json() };
}

describe('recording on the BullMQ engine', () => {
  it('records source events in Redis, previews on them, and keeps them across a restart', async () => {
    const root = recqDir();
    const options = {
      port: 0,
      host: '127.0.0.1',
      dataDir: join(root, 'data'),
      examplesDir: join(root, 'none'),
      editorDist: join(root, 'none'),
      redisUrl: REDIS,
      prefix: PREFIX,
      log: () => undefined,
    };
    const s = await startServer(options);
    servers.push(s);
    const pool = new WorkerPool({ redisUrl: REDIS, prefix: PREFIX, pollMs: 100 });
    pools.push(pool);
    await pool.start();
    const post = (path: string, body?: unknown) =>
      json(`${s.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect((await post('/api/pipelines', doc)).status).toBe(201);
    expect((await post('/api/pipelines/gen/deploy')).status).toBe(200);
    await expect
      .poll(async () => (await json(`${s.url}/api/pipelines/gen/status`)).body.status, { timeout: 20_000, interval: 100 })
      .toBe('completed');
    expect((await json(`${s.url}/api/pipelines/gen/recording`)).body).toEqual({ events: 700, sources: { orders: 700 }, capacity: 10_000 });
    const same = await post('/api/pipelines/gen/preview', {});
    expect(same.status).toBe(200);
    expect(same.body.recording.events).toBe(700);
    expect(same.body.outcomes.changed).toBe(0);
    await servers.pop()!.close();

    const again = await startServer(options);
    servers.push(again);
    expect((await json(`${again.url}/api/pipelines/gen/recording`)).body.events).toBe(700);
    const none = await json(`${again.url}/api/pipelines/gen/preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: { min: 1_000_000 } }),
    });
    expect(none.body.diff.out.removed).toBe(same.body.live.outputs.out.length);
  });
});
