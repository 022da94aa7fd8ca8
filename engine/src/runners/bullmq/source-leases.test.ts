/**
 * Source partitions on workers (docs/source-partitions.md), against the real Redis: a lease is
 * held by one worker at a time, a takeover gets a higher fencing token, and the stale holder's
 * checkpoints are refused; a coordinator with no worker reads nothing, and the one worker that
 * starts reads every partition.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { spawnWorkers } from '../../cli/spawn-workers.js';
import { compiled, readJsonl } from '../runner.contract.js';
import { BullmqRunner } from './bullmq-runner.js';
import { RedisKeys } from './keys.js';
import { LeaseLost, type SourceCheckpoint, SourceCheckpoints } from './source-checkpoints.js';
import { confirmHeld, readLease, SourceLeases } from './source-lease.js';
import { deletePrefixKeys } from './test-keys.js';

const tmpSlease = tempFolders('sluice-slease-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-slease-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await redis.quit();
  await deletePrefixKeys(REDIS_URL, prefix);
});

const checkpoint = (position: number, done = false): SourceCheckpoint => ({
  position,
  exchange: { seq: {}, sentWm: {} },
  watermark: position,
  done,
  counters: {},
});

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('source partition leases', () => {
  it('fence checkpoints: a worker whose lease was taken over cannot commit, the new holder can', async () => {
    const pid = 'fence';
    const part = { nodeId: 'src', partition: 2 };
    // A short TTL: the first holder "pauses" (stops renewing) and its lease expires.
    const leases = new SourceLeases(redis, keys, pid, 300);
    const cps = new SourceCheckpoints(redis, keys, pid);
    await redis.set(keys.runMarker(pid), 'g1');
    expect(await leases.acquire(part, 'wa', 'g1')).toBeUndefined(); // the gate is not open yet
    await leases.setGate('run', 'g1');
    const a = await leases.acquire(part, 'wa', 'g1');
    expect(a).toBe('wa:g1:1');
    expect(await leases.acquire(part, 'wb', 'g1')).toBeUndefined(); // held
    await cps.write('src', 2, checkpoint(10), a!);
    expect(await leases.renew(part, a!)).toBe(true);
    await confirmHeld(leases, part, a!); // a source without positions may enqueue

    await until('the first lease expires', async () => (await redis.exists(keys.sourceLease(pid, 'src', 2))) === 0);
    const b = await leases.acquire(part, 'wb', 'g1');
    expect(b).toBe('wb:g1:2');
    expect(readLease(b!)).toEqual({ kind: 'held', worker: 'wb', generation: 'g1', token: 2 });
    // The stale holder wakes: every write of its is refused, and nothing of it lands.
    await expect(cps.write('src', 2, checkpoint(99), a!)).rejects.toBeInstanceOf(LeaseLost);
    await expect(cps.markPending('src', 2, undefined, { from: 99, records: 5 }, a!)).rejects.toBeInstanceOf(LeaseLost);
    // ...and, for a source without positions (no pending mark), its enqueue: the confirmation is refused.
    await expect(confirmHeld(leases, part, a!)).rejects.toBeInstanceOf(LeaseLost);
    expect(await leases.renew(part, a!)).toBe(false);
    await leases.release(part, a!); // releases nothing it no longer holds
    expect((await cps.read('src', 2))?.position).toBe(10);
    await cps.write('src', 2, checkpoint(20), b!);
    expect((await cps.read('src', 2))?.position).toBe(20);

    // The partition ends: its lease is marked done and nobody takes it again.
    await cps.write('src', 2, checkpoint(30, true), b!, 'done:g1');
    expect((await leases.view([part]))[0]).toEqual({ kind: 'done' });
    expect(await leases.acquire(part, 'wc', 'g1')).toBeUndefined();
    // A paused gate (hot redeploy) lets nobody take a free partition.
    const other = { nodeId: 'src', partition: 3 };
    await leases.setGate('pause', 'g1');
    expect(await leases.acquire(other, 'wc', 'g1')).toBeUndefined();
    await leases.setGate('run', 'g1');
    expect(await leases.acquire(other, 'wc', 'g1')).toBe('wc:g1:3');
  });

  it('runs no source in the coordinator: nothing is read until a worker starts, which then reads every partition', async () => {
    const dir = tmpSlease();
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const doc = compiled({
      format: 'sluice/v1',
      nodes: [
        { id: 'gen', type: 'source.generator', parallelism: 3, config: { scenario: 'orders', count: 3000, seed: 2 } },
        { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
      ],
      edges: [{ id: 'e', source: 'gen', target: 'out' }],
    });
    const handle = await runner.deploy(doc, { baseDir: dir, pipelineId: 'nowork' });
    let workers: ReturnType<typeof spawnWorkers> | undefined;
    try {
      // Absence can only be watched for a while: 1.5 s in which a coordinator running sources
      // would have read all 3,000 events many times over.
      const watchUntil = Date.now() + 1500;
      while (Date.now() < watchUntil) {
        const held = await redis.mget(...[0, 1, 2].map((p) => keys.sourceLease('nowork', 'gen', p)));
        expect(held).toEqual([null, null, null]);
        expect(await redis.exists(keys.sourceCheckpoint('nowork', 'gen', 0))).toBe(0);
        expect(handle.metrics().nodes.gen?.out ?? 0).toBe(0);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(readJsonl(join(dir, 'out.jsonl'))).toEqual([]);
      workers = spawnWorkers(1, { redisUrl: REDIS_URL, prefix });
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      expect(result.metrics.nodes.gen).toMatchObject({ out: 3000 });
      const ids = readJsonl(join(dir, 'out.jsonl')).map((r) => r.order_id as number);
      expect(ids).toHaveLength(3000);
      expect(new Set(ids).size).toBe(3000);
    } finally {
      await workers?.stop();
      await runner.close();
    }
  }, 180_000);
});
