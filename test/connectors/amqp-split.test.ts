/**
 * source.amqp split as competing consumers (`parallelism` 3 on one queue) on BullMQ with 2
 * `sluice worker` processes, against the real RabbitMQ and Redis on 127.0.0.1: each partition
 * is a consumer acknowledging only after its checkpoint, and every 10 s window per key comes out
 * once with the hand-computed count and sum.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqRunner, compilePipeline, spawnWorkers } from '@sluice/engine';
import { deletePrefixKeys } from '@sluice/engine/testing';
import { secretEnvVar } from '@sluice/nodes/sdk';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { TEST_AMQP_URL, TEST_PASSWORD_SECRET, TEST_SECRETS, TestBroker } from '../../nodes/src/amqp/amqp-test-client.js';
import { waitUntil } from '../faults/support/wait-until.js';
import { expectedWindows, KEYS, orders, windowDoc, writtenWindows } from './support/split-windows.js';

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

const source = (queue: string) => ({
  type: 'source.amqp',
  config: { url: TEST_AMQP_URL, passwordSecret: TEST_PASSWORD_SECRET, queue, ackAfterCheckpoint: true, prefetch: 400, timeField: 'ts' },
});

/** Complete lines in the sink file so far (it may be mid-write). */
function linesWritten(dir: string): number {
  try {
    return readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

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
    const dir = mkdtempSync(join(tmpdir(), 'sluice-amqp-split-'));
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
});
