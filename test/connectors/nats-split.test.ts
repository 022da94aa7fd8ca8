/**
 * source.nats split by subject partition (`parallelism` 3) on BullMQ with 2 `sluice worker`
 * processes, against the real nats-server with JetStream and Redis on 127.0.0.1: orders are
 * published to `<prefix>.in.<p>.<key>` with p = NATS's partition(3, key) mapping, each partition
 * reads its own subjects, and every 10 s window per key comes out once with the hand-computed
 * count and sum, also when a worker holding partitions is SIGKILLed mid-run.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqRunner, compilePipeline, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { deletePrefixKeys } from '@sluice/engine/testing';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { natsPartitionOf } from '../../nodes/src/nats/partitions.js';
import { TEST_NATS_URL, TestNats } from '../../nodes/src/nats/nats-test-client.js';
import { waitUntil } from '../faults/support/wait-until.js';
import { expectedWindows, holderPids, KEYS, killHard, type Order, orders, windowDoc, writtenWindows } from './support/split-windows.js';

const tmpNatsSplit = tempFolders('sluice-nats-split-');

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PARTITIONS = 3;
let nats: TestNats;

beforeAll(async () => {
  nats = await TestNats.open();
});

afterAll(async () => {
  await nats?.close();
});

/** A fresh stream holding `input` under `<prefix>.in.<partition>.<key>`; the source node reading it split. */
async function publish(input: readonly Order[]): Promise<{ type: string; config: Record<string, unknown> }> {
  const { stream, prefix } = await nats.stream('split');
  const js = nats.nc.jetstream();
  const enc = new TextEncoder();
  for (let from = 0; from < input.length; from += 1_000)
    await Promise.all(
      input
        .slice(from, from + 1_000)
        .map((o) => js.publish(`${prefix}.in.${natsPartitionOf([o.key], PARTITIONS)}.${o.key}`, enc.encode(JSON.stringify(o)))),
    );
  return {
    type: 'source.nats',
    config: {
      url: TEST_NATS_URL,
      stream,
      subject: `${prefix}.in.{partition}.*`,
      start: 'earliest',
      stopAtEnd: true,
      timeField: 'ts',
      includeSubject: false,
    },
  };
}

describe('source.nats split by subject partition on BullMQ', () => {
  it('the 12 keys spread over all 3 partitions', () => {
    const used = new Set(Array.from({ length: KEYS }, (_, k) => natsPartitionOf([`k${k}`], PARTITIONS)));
    expect([...used].sort()).toEqual([0, 1, 2]);
  });

  it('refuses parallelism above 1 without {partition} in the subject, naming the node', () => {
    const d = { ...windowDoc({ type: 'source.nats', config: { url: TEST_NATS_URL, stream: 'S', subject: 'o.>' } }, 1) };
    d.nodes[0]!.parallelism = 3;
    const { diagnostics } = compilePipeline(d);
    expect(diagnostics.map((x) => [x.code, x.message])).toContainEqual([
      'source-does-not-split',
      expect.stringMatching(/^node "orders": with parallelism above 1 its subject must name the partitions with \{partition\}/),
    ]);
  });

  it('parallelism 3 on the embedded engine (3 source instances): the same windows', async () => {
    const input = orders(3_000);
    const source = await publish(input);
    const dir = tmpNatsSplit();
    const runner = new EmbeddedRunner();
    try {
      const result = await (await runner.deploy(windowDoc(source, PARTITIONS), { baseDir: dir })).done;
      expect(result.status, result.error).toBe('completed');
    } finally {
      await runner.close();
    }
    expect(writtenWindows(dir)).toEqual(expectedWindows(input));
  }, 60_000);

  it('parallelism 3 over 2 workers: every window once, with the hand-computed counts and sums', async () => {
    const input = orders(6_000);
    const source = await publish(input);
    const prefix = `${TEST_KEY_ROOT}:nats-split:${randomUUID()}`;
    const dir = tmpNatsSplit();
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix });
    if (!(await runner.ready())) throw new Error(`these tests need the Redis at ${REDIS} (set REDIS_URL)`);
    const workers = spawnWorkers(2, { redisUrl: REDIS, prefix });
    try {
      const handle = await runner.deploy(windowDoc(source, PARTITIONS), { baseDir: dir, batchSize: 200 });
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      expect(result.metrics.nodes.orders).toMatchObject({ out: input.length, errors: 0 });
    } finally {
      await workers.stop();
      await runner.close();
      await deletePrefixKeys(REDIS, prefix);
    }
    expect(writtenWindows(dir)).toEqual(expectedWindows(input)); // 12 keys x 6 windows
  }, 180_000);

  it('a worker holding partitions SIGKILLed mid-run: the other takes them over from their checkpointed sequences, every window once', async () => {
    const input = orders(24_000);
    const source = await publish(input);
    const prefix = `${TEST_KEY_ROOT}:nats-split-kill:${randomUUID()}`;
    const dir = tmpNatsSplit();
    // Short leases and locks: the killed worker's partitions and jobs are taken over within seconds.
    process.env.SLUICE_SOURCE_LEASE_MS = '1000';
    process.env.SLUICE_LOCK_MS = '3000';
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix });
    if (!(await runner.ready())) throw new Error(`these tests need the Redis at ${REDIS} (set REDIS_URL)`);
    const workers = spawnWorkers(2, { redisUrl: REDIS, prefix });
    try {
      const handle = await runner.deploy(windowDoc(source, PARTITIONS), { baseDir: dir, batchSize: 50 });
      const read = () => handle.metrics().nodes.orders?.out ?? 0;
      // Both workers hold partitions, and some of the input has been read.
      let holders: (number | undefined)[] = [];
      await waitUntil(
        async () => {
          if (handle.status() !== 'running') throw new Error(`the run ended (${handle.status()}) before the kill`);
          holders = await holderPids(REDIS, prefix, PARTITIONS);
          return read() >= 2_000 && workers.processes.every((w) => holders.includes(w.pid));
        },
        120_000,
        'both workers hold source partitions after 2,000 orders',
      );
      const victim = workers.processes[0]!;
      await killHard(victim);
      expect(read()).toBeLessThan(input.length); // killed part way
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      expect(result.metrics.nodes.orders).toMatchObject({ out: input.length, errors: 0 });
    } finally {
      delete process.env.SLUICE_SOURCE_LEASE_MS;
      delete process.env.SLUICE_LOCK_MS;
      await workers.stop();
      await runner.close();
      await deletePrefixKeys(REDIS, prefix);
    }
    expect(writtenWindows(dir)).toEqual(expectedWindows(input)); // lost 0, duplicated 0
  }, 300_000);
});
