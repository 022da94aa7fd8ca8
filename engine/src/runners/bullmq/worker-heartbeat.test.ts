/** Workers announce themselves: the runner counts the live ones, a closed worker says goodbye. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BullmqRunner } from './bullmq-runner.js';
import { RedisKeys } from './keys.js';
import { deletePrefixKeys } from './test-keys.js';
import { WorkerPool } from './worker-pool.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-beat-${randomUUID().slice(0, 8)}`;
afterAll(() => deletePrefixKeys(REDIS_URL, prefix));

describe('worker heartbeats', () => {
  it('counts live workers, forgets a closed one at once and a silent one after its beats stop', async () => {
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const redis = new Redis(REDIS_URL);
    try {
      expect(await runner.liveWorkers()).toBe(0);
      const a = new WorkerPool({ redisUrl: REDIS_URL, prefix, pollMs: 100 });
      const b = new WorkerPool({ redisUrl: REDIS_URL, prefix, pollMs: 100 });
      await a.start();
      await b.start();
      expect(await runner.liveWorkers()).toBe(2);
      await a.close();
      expect(await runner.liveWorkers()).toBe(1);
      // A worker killed with SIGKILL never says goodbye: its last beat ages out.
      await redis.hset(new RedisKeys(prefix).workers, 'killed', String(Date.now() - 10_000));
      expect(await runner.liveWorkers()).toBe(1);
      await redis.hset(new RedisKeys(prefix).workers, 'long-gone', String(Date.now() - 120_000));
      await runner.liveWorkers();
      expect(await redis.hexists(new RedisKeys(prefix).workers, 'long-gone')).toBe(0);
      await b.close();
      expect(await runner.liveWorkers()).toBe(0);
    } finally {
      await runner.close();
      await redis.quit();
    }
  });
});
