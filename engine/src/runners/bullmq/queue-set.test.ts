/**
 * QueueSets on a worker's shared BullConnections (real Redis): every queue of every run hosted
 * goes through one client, so BullMQ defines its Lua scripts once per worker, not per queue and
 * run; closing a run's set leaves the worker's client to the next run.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import type { OutgoingJob } from './exchange-buffer.js';
import { RedisKeys } from './keys.js';
import { QueueSet } from './queue-set.js';
import { BullConnections, createRedis } from './redis-client.js';
import { deletePrefixKeys } from './test-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-queueset-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
afterAll(() => deletePrefixKeys(REDIS_URL, prefix));

const job = (partition: number, seq: number): OutgoingJob => ({
  targetStage: 1,
  targetPartition: partition,
  job: { edge: 'e1', from: 0, to: partition, seq, n: 0, wm: 0 },
});

describe('QueueSet on a shared BullConnections', () => {
  it("two runs' queues use one client, which outlives each run's set and closes with its owner", async () => {
    const redis = createRedis(REDIS_URL);
    const bull = new BullConnections(REDIS_URL);
    try {
      await redis.set(keys.runMarker('a'), 'gen');
      await redis.set(keys.runMarker('b'), 'gen');
      const a = new QueueSet(bull, keys, 'a');
      const b = new QueueSet(bull, keys, 'b');
      await a.add([job(0, 1), job(0, 2), job(1, 1)]);
      await b.add([job(0, 1)]);
      expect(await a.queue(1, 0).count()).toBe(2);
      expect(await a.queue(1, 1).count()).toBe(1);
      expect(await b.queue(1, 0).count()).toBe(1);

      const shared = await a.queue(1, 0).backend.client;
      expect(await a.queue(1, 1).backend.client).toBe(shared);
      expect(await b.queue(1, 0).backend.client).toBe(shared);

      await a.close();
      // Run a is gone; run b (and the next run) still enqueue on the worker's client.
      await b.add([job(0, 2)]);
      expect(await b.queue(1, 0).count()).toBe(2);
      await b.close();
      expect(shared.status).toBe('ready');
      await bull.close();
      await expect(shared.get(keys.runMarker('b'))).rejects.toThrow('Connection is closed');
    } finally {
      await bull.close();
      await redis.quit();
    }
  });

  it('a set made from a URL closes its own client', async () => {
    const redis = createRedis(REDIS_URL);
    try {
      await redis.set(keys.runMarker('c'), 'gen');
      const c = new QueueSet(REDIS_URL, keys, 'c');
      await c.add([job(0, 1)]);
      const own = await c.queue(1, 0).backend.client;
      expect(own.status).toBe('ready');
      await c.close();
      await expect(own.get(keys.runMarker('c'))).rejects.toThrow('Connection is closed');
    } finally {
      await redis.quit();
    }
  });
});
