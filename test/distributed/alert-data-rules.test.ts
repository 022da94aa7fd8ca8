/**
 * Data rules on BullMQ (real Redis, spawned worker processes): the workers count every event on
 * the watched edges (the source's edge in their source partitions, the window's edge in their
 * tasks) and publish per-bucket counts through Redis; the evaluator sums them. Hand-computed:
 * 200 events, every 8th failed (25 of 200 = 0.125 > 0.1); a tumbling minute per user over 200 s
 * of event time closes 3 windows for each of 4 users (12 results, 3 of them u0's, more than 2).
 * Then the run stops and none of the alert keys is left. A drill kills a worker with SIGKILL
 * mid-run: every count still added once. (A kill between a publish and its commit is chance;
 * engine/src/alerts/worker-edge-tally.test.ts proves a retried unit adds nothing.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetGuard } from '@sluice/nodes/http-client';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { validateDocument } from '@sluice/shared';
import { BullmqRunner, FileStore, spawnWorkers } from '@sluice/engine';
import { deletePrefixKeys, RedisKeys, waitFor } from '@sluice/engine/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertEvaluator } from '../../engine/src/alerts/alert-evaluator.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-alerts-${randomUUID().slice(0, 8)}`;
const stream = `${prefix}:orders-in`;
const drillStream = `${prefix}:drill-in`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-alert-bullmq-'));
const redis = new Redis(REDIS_URL);

afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const docOn = (from: string) => ({
  format: 'sluice/v1',
  id: 'orders',
  nodes: [
    { id: 'src', type: 'source.redis-stream', config: { url: REDIS_URL, stream: from, start: 'earliest', timeField: 'ts', blockMs: 100 } },
    {
      id: 'win',
      type: 'window',
      config: { type: 'tumbling', size: '1m', keyBy: ['user'], aggregates: [{ as: 'n', op: 'count' }] },
    },
    { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'src', target: 'win' },
    { id: 'e2', source: 'win', target: 'out' },
  ],
  alerts: {
    rules: [
      { id: 'failing', edge: 'e1', when: 'share_above', where: 'status == "failed"', value: 0.1, window: '1h', for: '0s', notify: ['log'] },
      { id: 'busy_u0', edge: 'e2', when: 'count_above', where: 'user == "u0"', value: 2, window: '1h', for: '0s', notify: ['log'] },
    ],
    targets: [{ id: 'log', type: 'sink', sink: { type: 'sink.file', config: { path: 'alerts.jsonl' } } }],
  },
});

/** `n` events, one per second of event time: user u0..u3 in turn, every 8th failed. */
async function writeEvents(key: string, n: number): Promise<void> {
  for (let from = 0; from < n; from += 1000) {
    const p = redis.pipeline();
    for (let i = from; i < Math.min(n, from + 1000); i++)
      p.xadd(key, '*', 'data', JSON.stringify({ i, user: `u${i % 4}`, status: i % 8 === 0 ? 'failed' : 'ok', ts: i * 1000 }));
    await p.exec();
  }
}

/** A rule's counts summed over its buckets, read from Redis. */
async function sums(keys: RedisKeys, ruleKey: string): Promise<{ m: number; t: number; f: number }> {
  const fields = await redis.hgetall(keys.alertCounts('orders', ruleKey));
  const total = { m: 0, t: 0, f: 0 };
  for (const [f, v] of Object.entries(fields)) total[f.split(':')[1] as 'm' | 't' | 'f'] += Number(v);
  return total;
}

/** The document saved in a store of `dataDir`, a runner on the test's prefix, and `n` spawned workers. */
async function setUp(from: string, dataDir: string, n: number) {
  const valid = validateDocument(docOn(from), nodeDefinitions);
  expect(valid.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const store = new FileStore({ dataDir });
  await store.put('orders', valid.document!, { author: 'test', action: 'create', baseDir: dataDir });
  const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
  if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}: this test needs it`);
  return { document: valid.document!, store, runner, workers: spawnWorkers(n, { redisUrl: REDIS_URL, prefix }) };
}

describe('data rules on BullMQ, counted by the workers', { timeout: 240_000 }, () => {
  it('share and count summed exactly from the workers, both alerts fire; no alert key is left', async () => {
    await writeEvents(stream, 200);
    const { document, store, runner, workers } = await setUp(stream, dir, 2);
    const keys = new RedisKeys(prefix);
    const logs: string[] = [];
    let evaluator: AlertEvaluator | undefined;
    try {
      const handle = await runner.deploy(document, { baseDir: dir, pipelineId: 'orders', partitions: 2, batchSize: 64 });
      evaluator = new AlertEvaluator({
        runs: () => new Map([['orders', handle]]),
        store,
        notifier: { guard: targetGuard(), secret: () => '', log: (l) => logs.push(l) },
        remoteCounts: { redis, keys },
      });
      // Every event committed on both edges (the counts are published before each commit).
      await waitFor(() => handle.metrics().edges.e1?.events === 200 && handle.metrics().edges.e2?.events === 12, 180_000);
      await evaluator.tick();
      const view = await evaluator.view('orders');
      expect(view).toEqual([
        {
          rule: 'failing',
          name: 'failing',
          edge: 'e1',
          state: 'firing',
          since: expect.any(Number),
          value: 25 / 200,
          measuredAt: expect.any(Number),
        },
        {
          rule: 'busy_u0',
          name: 'busy_u0',
          edge: 'e2',
          state: 'firing',
          since: expect.any(Number),
          value: 3,
          measuredAt: expect.any(Number),
        },
      ]);
      // The per-bucket sums in Redis, read directly: 25 of 200 (none failed to evaluate), 3 of 12.
      const specs = JSON.parse((await redis.get(keys.alertRules('orders')))!) as { key: string; edge: string }[];
      expect(specs.map((s) => s.edge)).toEqual(['e1', 'e2']);
      expect(await sums(keys, specs[0]!.key)).toEqual({ m: 25, t: 200, f: 0 });
      expect(await sums(keys, specs[1]!.key)).toEqual({ m: 3, t: 12, f: 0 });

      await evaluator.stop();
      evaluator = undefined;
      const lines = readFileSync(join(dir, 'alerts.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.rule, l.state, l.value, l.threshold])).toEqual([
        ['failing', 'firing', 0.125, 0.1],
        ['busy_u0', 'firing', 3, 2],
      ]);
      expect(logs.filter((l) => l.includes('not '))).toEqual([]);

      await handle.stop();
      const left = await Promise.all(
        [keys.alertRules('orders'), keys.alertCounted('orders'), `${keys.alertCounts('orders', '')}*`].map((p) => redis.keys(p)),
      );
      expect(left.flat()).toEqual([]);
    } finally {
      await evaluator?.stop();
      await workers.stop();
      await runner.close();
    }
  });

  it('a worker killed with SIGKILL mid-run: lost 0, counted twice 0', async () => {
    // 20,000 events: 2,500 failed. Watermark 19,999 s closes the minutes 0 to 332 (the 333rd
    // ends at 19,980 s; the next at 20,040 s): 333 windows x 4 users = 1,332 results, 333 of u0.
    await writeEvents(drillStream, 20_000);
    const drillDir = mkdtempSync(join(tmpdir(), 'sluice-alert-drill-'));
    const { document, store, runner, workers } = await setUp(drillStream, drillDir, 3);
    const keys = new RedisKeys(prefix);
    try {
      const handle = await runner.deploy(document, { baseDir: drillDir, pipelineId: 'orders', partitions: 2, batchSize: 50 });
      const evaluator = new AlertEvaluator({
        runs: () => new Map([['orders', handle]]),
        store,
        notifier: { guard: targetGuard(), secret: () => '', log: () => undefined },
        remoteCounts: { redis, keys },
      });
      await evaluator.tick(); // the specs are written (the workers count from the deployed document anyway)
      await waitFor(() => (handle.metrics().edges.e1?.events ?? 0) > 4000, 180_000);
      workers.processes[0]!.kill('SIGKILL');
      workers.processes[1]!.kill('SIGKILL');
      await waitFor(() => handle.metrics().edges.e1?.events === 20_000 && handle.metrics().edges.e2?.events === 1332, 180_000);
      await evaluator.tick(); // writes the specs again (they expire 30 s after the last round)
      const specs = JSON.parse((await redis.get(keys.alertRules('orders')))!) as { key: string }[];
      expect(await sums(keys, specs[0]!.key)).toEqual({ m: 2500, t: 20_000, f: 0 });
      expect(await sums(keys, specs[1]!.key)).toEqual({ m: 333, t: 1332, f: 0 });
      expect((await evaluator.view('orders')).map((v) => [v.rule, v.state, v.value])).toEqual([
        ['failing', 'firing', 0.125],
        ['busy_u0', 'firing', 333],
      ]);
      await evaluator.stop();
      await handle.stop();
    } finally {
      await workers.stop();
      await runner.close();
      rmSync(drillDir, { recursive: true, force: true });
    }
  });
});
