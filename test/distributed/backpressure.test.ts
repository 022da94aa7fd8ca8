/**
 * Backpressure on BullMQ (real Redis): one slow-ish worker, a fast source and a low high-water
 * mark. The source must wait for the workers: the queue backlog stays bounded, and nothing is
 * dropped (the windows equal a clean embedded run's).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BullmqRunner, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { readJsonl, sortRows } from '@sluice/engine/testing';
import { YSB_DIR, ysbDocumentFor } from './ysb-fixture.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmpBp = tempFolders('sluice-bp-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-${randomUUID().slice(0, 8)}`;
const EVENTS = 150_000;
const HIGH_WATER = 3;

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('backpressure on BullMQ', () => {
  it('holds the source while the queues are above the high-water mark; nothing is dropped', async () => {
    const dir = tmpBp();
    const clean = join(dir, 'clean.jsonl');
    const h0 = await new EmbeddedRunner().deploy(ysbDocumentFor(EVENTS, clean), { baseDir: YSB_DIR, batchSize: 500 });
    expect((await h0.done).status).toBe('completed');

    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix, highWaterJobs: HIGH_WATER });
    expect(await runner.ready()).toBe(true);
    const workers = spawnWorkers(1, { redisUrl: REDIS_URL, prefix });
    const probe = new Redis(REDIS_URL);
    try {
      const out = join(dir, 'bullmq.jsonl');
      const handle = await runner.deploy(ysbDocumentFor(EVENTS, out), { baseDir: YSB_DIR, batchSize: 500, partitions: 1 });
      let maxWaiting = 0;
      let samples = 0;
      const done = handle.done.then((r) => r);
      for (let running = true; running; ) {
        const waiting = await probe.llen(`${prefix}:{ysb.s1.p0}:wait`);
        maxWaiting = Math.max(maxWaiting, waiting);
        samples++;
        running = await Promise.race([done.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 20))]);
      }
      const result = await done;
      expect(result.status).toBe('completed');
      expect(samples).toBeGreaterThan(10);
      // The source re-reads the backlog at least every high-water's worth of jobs it adds.
      expect(maxWaiting).toBeLessThanOrEqual(HIGH_WATER * 2 + 2);
      expect(maxWaiting).toBeGreaterThan(0);
      expect(sortRows(readJsonl(out))).toEqual(sortRows(readJsonl(clean)));
    } finally {
      await probe.quit();
      await workers.stop();
      await runner.close();
    }
  }, 180_000);
});
