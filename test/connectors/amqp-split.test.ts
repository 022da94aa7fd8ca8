/**
 * source.amqp split as competing consumers (`parallelism` 3 on one queue) on BullMQ with 2
 * `sluice worker` processes, against the real RabbitMQ and Redis on 127.0.0.1: each partition
 * is a consumer acknowledging only after its checkpoint, and every 10 s window per key comes out
 * once with the hand-computed count and sum.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqRunner, compilePipeline, spawnWorkers } from '@sluice/engine';
import { deletePrefixKeys } from '@sluice/engine/testing';
import { secretEnvVar } from '@sluice/nodes/sdk';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { TEST_AMQP_URL, TEST_PASSWORD_SECRET, TEST_SECRETS, TestBroker } from '../../nodes/src/amqp/amqp-test-client.js';
import { waitUntil } from '../faults/support/wait-until.js';
import { compiled } from '@sluice/engine/testing';
import { expectedWindows, holderPids, KEYS, killHard, orders, PIPELINE_ID, windowDoc, writtenWindows } from './support/split-windows.js';

const tmpAmqpSplit = tempFolders('sluice-amqp-split-');

// The workers read the password from their environment, as deployed ones do.
for (const [name, value] of Object.entries(TEST_SECRETS)) process.env[secretEnvVar(name)] = value;

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PARTITIONS = 3;
/** Far after every order: the sentinels' own window never closes, and each partition's watermark passes the last order window. */
const SENTINEL_TS = 1_000_000;
let broker: TestBroker;

beforeAll(async () => {
  broker = await TestBroker.open();
});

afterAll(async () => {
  await broker?.close();
});

const source = (queue: string, prefetch = 400) => ({
  type: 'source.amqp',
  config: { url: TEST_AMQP_URL, passwordSecret: TEST_PASSWORD_SECRET, queue, ackAfterCheckpoint: true, prefetch, timeField: 'ts' },
});

/** The complete lines of the sink file so far (it may be mid-write). */
function lines(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').slice(0, -1);
  } catch {
    return [];
  }
}

const linesWritten = (dir: string) => lines(dir).length;

describe('source.amqp split as competing consumers on BullMQ', () => {
  it('refuses parallelism above 1 without ackAfterCheckpoint, naming the node', () => {
    const d = windowDoc({ type: 'source.amqp', config: { url: TEST_AMQP_URL, queue: 'q' } }, 1);
    d.nodes[0]!.parallelism = 2;
    const { diagnostics } = compilePipeline(d);
    expect(diagnostics.map((x) => [x.code, x.message])).toContainEqual([
      'source-does-not-split',
      'node "orders": with parallelism above 1 set ackAfterCheckpoint: true (each consumer acknowledges after its checkpoint)',
    ]);
  });

  it('parallelism 3 over 2 workers: every window once with the hand-computed counts and sums; every message acknowledged once', async () => {
    const input = orders(6_000);
    const queue = await broker.queue('split');
    for (let from = 0; from < input.length; from += 500) await broker.send(queue, ...input.slice(from, from + 500));
    const prefix = `${TEST_KEY_ROOT}:amqp-split:${randomUUID()}`;
    const dir = tmpAmqpSplit();
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix });
    if (!(await runner.ready())) throw new Error(`these tests need the Redis at ${REDIS} (set REDIS_URL)`);
    const workers = spawnWorkers(2, { redisUrl: REDIS, prefix });
    const expected = expectedWindows(input);
    let sentinels = 0;
    try {
      const handle = await runner.deploy(windowDoc(source(queue), PARTITIONS), { baseDir: dir, batchSize: 200 });
      // The queue is unbounded: later messages move every consumer's watermark past the last
      // window. Which consumer gets which message is the broker's choice, so keep sending a few
      // until every window is written.
      await waitUntil(
        async () => {
          if (handle.status() !== 'running') throw new Error(`the run ended (${handle.status()}) before every window`);
          if (linesWritten(dir) >= expected.length) return true;
          await broker.send(queue, ...Array.from({ length: 6 }, (_, i) => ({ order: -1, key: 'end', amount: 0, ts: SENTINEL_TS + i })));
          sentinels += 6;
          return false;
        },
        180_000,
        `all ${expected.length} windows written`,
      );
      const result = await handle.stop();
      expect(result.status, result.error).toBe('stopped');
      const read = result.metrics.nodes.orders?.out ?? 0;
      expect(read).toBeGreaterThanOrEqual(input.length + PARTITIONS);
      // The stop checkpointed and acknowledged what each consumer had read, and closing the
      // channels gave back the rest: every message was acknowledged once or is back in the queue.
      expect(await broker.ready(queue)).toBe(input.length + sentinels - read);
    } finally {
      await workers.stop();
      await runner.close();
      await deletePrefixKeys(REDIS, prefix);
    }
    expect(writtenWindows(dir)).toEqual(expected); // lost 0, duplicated 0: 12 keys x 6 windows
    expect(new Set(expected.map((w) => w.key)).size).toBe(KEYS);
  }, 240_000);

  it('a worker holding consumers SIGKILLed mid-run: nothing lost; what it had not acknowledged comes back, at most its prefetch per consumer', async () => {
    const input = orders(6_000);
    const queue = await broker.queue('split-kill');
    // Half now, the rest after the kill: the kill always lands part way, however fast the run.
    const half = input.length / 2;
    const send = async (from: number, to: number) => {
      for (let at = from; at < to; at += 500) await broker.send(queue, ...input.slice(at, Math.min(at + 500, to)));
    };
    await send(0, half);
    const prefix = `${TEST_KEY_ROOT}:amqp-split-kill:${randomUUID()}`;
    const dir = tmpAmqpSplit();
    const prefetch = 100;
    // Every order as read, straight to a file: duplicates show as repeated lines.
    const doc = compiled({
      format: 'sluice/v1',
      id: PIPELINE_ID,
      nodes: [
        { id: 'orders', ...source(queue, prefetch), parallelism: PARTITIONS },
        { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
      ],
      edges: [{ id: 'e1', source: 'orders', target: 'out' }],
    });
    // Short leases and locks: the killed worker's partitions and jobs are taken over within seconds.
    process.env.SLUICE_SOURCE_LEASE_MS = '1000';
    process.env.SLUICE_LOCK_MS = '3000';
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix });
    if (!(await runner.ready())) throw new Error(`these tests need the Redis at ${REDIS} (set REDIS_URL)`);
    const workers = spawnWorkers(2, { redisUrl: REDIS, prefix });
    let victimHeld = 0;
    try {
      const handle = await runner.deploy(doc, { baseDir: dir, batchSize: 50 });
      await waitUntil(
        async () => {
          if (handle.status() !== 'running') throw new Error(`the run ended (${handle.status()}) before the kill`);
          const holders = await holderPids(REDIS, prefix, PARTITIONS);
          victimHeld = holders.filter((pid) => pid === workers.processes[0]!.pid).length;
          return (handle.metrics().nodes.orders?.out ?? 0) >= 1_500 && workers.processes.every((w) => holders.includes(w.pid));
        },
        120_000,
        'both workers hold consumers after 1,500 orders',
      );
      await killHard(workers.processes[0]!);
      expect(new Set(lines(dir)).size).toBeLessThan(input.length); // killed part way
      await send(half, input.length);
      await waitUntil(
        () => {
          if (handle.status() !== 'running') throw new Error(`the run ended (${handle.status()})`);
          return new Set(lines(dir)).size >= input.length;
        },
        180_000,
        'every order written',
      );
      expect((await handle.stop()).status).toBe('stopped');
    } finally {
      delete process.env.SLUICE_SOURCE_LEASE_MS;
      delete process.env.SLUICE_LOCK_MS;
      await workers.stop();
      await runner.close();
      await deletePrefixKeys(REDIS, prefix);
    }
    const written = lines(dir).map((l) => (JSON.parse(l) as { order: number }).order);
    // Lost 0: every order at least once.
    expect([...new Set(written)].sort((a, b) => a - b)).toEqual(input.map((o) => o.order));
    // The duplicates are what the killed worker's consumers held unacknowledged: at most their prefetch each.
    expect(written.length - input.length).toBeLessThanOrEqual(victimHeld * prefetch);
  }, 300_000);
});
