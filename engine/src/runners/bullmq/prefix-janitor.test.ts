/**
 * The janitor's decision: which prefixes lose their keys (a leased run's once its lease is gone;
 * an unmarked one once nothing beats), which never do (a live lease, a server's deployment); and
 * the workers' hashes expire by themselves once nobody beats.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisKeys } from './keys.js';
import { sweepPrefix, whyAlive } from './prefix-janitor.js';
import { deletePrefixKeys } from './test-keys.js';
import { WORKER_HASH_TTL_MS, WorkerPool } from './worker-pool.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefixes: string[] = [];
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  for (const p of prefixes) await deletePrefixKeys(REDIS_URL, p);
  await redis.quit();
});

/** A prefix holding a deployment of pipeline `a` (ephemeral as given), one task state and a worker beat `beatAgeMs` ago. */
async function leftRun(ephemeral: boolean | undefined, beatAgeMs: number): Promise<RedisKeys> {
  const keys = new RedisKeys(`${TEST_KEY_ROOT}-janitor-${randomUUID().slice(0, 8)}`);
  prefixes.push(keys.prefix);
  await redis.sadd(keys.pipelines, 'a');
  await redis.set(keys.pipeline('a'), JSON.stringify({ pid: 'a', generation: 'g1', ...(ephemeral === undefined ? {} : { ephemeral }) }));
  await redis.set(keys.taskState('a', 1, 0), 'state');
  await redis.hset(keys.workers, 'w1', String(Date.now() - beatAgeMs));
  return keys;
}

const count = async (keys: RedisKeys) => (await redis.keys(`${keys.prefix}:*`)).length;

describe('the prefix janitor', () => {
  it('keeps a run whose coordinator holds the lease', async () => {
    const keys = await leftRun(true, 60_000);
    await redis.set(keys.lease, 'coordinator', 'PX', 60_000);
    expect(await whyAlive(redis, keys.prefix)).toBe('its coordinator holds the lease');
    expect(await sweepPrefix(redis, keys.prefix)).toBe(0);
    expect(await count(keys)).toBe(5);
  });

  it("removes a leased run's keys once the lease is gone, even while a worker still beats", async () => {
    const keys = await leftRun(true, 0);
    // pipelines, pipeline:a, state:a:1:0, workers
    expect(await sweepPrefix(redis, keys.prefix)).toBe(4);
    expect(await count(keys)).toBe(0);
  });

  it("never removes a server's deployment", async () => {
    const keys = await leftRun(false, 60_000);
    expect(await whyAlive(redis, keys.prefix)).toBe("pipeline a is a server's deployment");
    expect(await sweepPrefix(redis, keys.prefix)).toBe(0);
    expect(await count(keys)).toBe(4);
  });

  it('keeps an unmarked run (an older version) while a worker beats, and removes it once the beats are stale', async () => {
    const fresh = await leftRun(undefined, 0);
    expect(await whyAlive(redis, fresh.prefix)).toBe('a worker still beats');
    expect(await sweepPrefix(redis, fresh.prefix)).toBe(0);
    const stale = await leftRun(undefined, 10_000);
    expect(await sweepPrefix(redis, stale.prefix)).toBe(4);
  });

  it('gives the workers hashes a TTL that each heartbeat refreshes', async () => {
    const keys = new RedisKeys(`${TEST_KEY_ROOT}-janitor-${randomUUID().slice(0, 8)}`);
    prefixes.push(keys.prefix);
    const pool = new WorkerPool({ redisUrl: REDIS_URL, prefix: keys.prefix, pollMs: 100 });
    await pool.start();
    try {
      for (const key of [keys.workers, keys.workerInfo]) {
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(WORKER_HASH_TTL_MS);
      }
    } finally {
      await pool.close();
    }
    // Its goodbye removed its entries: nothing of it is left.
    expect(await redis.exists(keys.workers, keys.workerInfo)).toBe(0);
  });
});
