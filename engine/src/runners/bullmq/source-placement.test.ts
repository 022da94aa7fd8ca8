/**
 * `placement` pins a source's partitions to workers with all its labels (`sluice worker
 * --labels`): an unlabelled worker never takes them, even when it is the only one; the labelled
 * worker reads every partition once it starts. Real Redis, two worker pools in this process.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { compiled, readJsonl } from '../runner.contract.js';
import { BullmqRunner } from './bullmq-runner.js';
import { RedisKeys } from './keys.js';
import { readLease } from './source-lease.js';
import { deletePrefixKeys } from './test-keys.js';
import { liveWorkersWith } from './worker-list.js';
import { WorkerPool } from './worker-pool.js';

const tmpPlace = tempFolders('sluice-place-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-place-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await redis.quit();
  await deletePrefixKeys(REDIS_URL, prefix);
});

describe('source placement', () => {
  it('runs a placed source only on a worker with its labels', async () => {
    const dir = tmpPlace();
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const plain = new WorkerPool({ redisUrl: REDIS_URL, prefix, pollMs: 100 });
    let labelled: WorkerPool | undefined;
    const seen = new Set<string>();
    try {
      await plain.start();
      const handle = await runner.deploy(
        compiled({
          format: 'sluice/v1',
          nodes: [
            {
              id: 'gen',
              type: 'source.generator',
              parallelism: 2,
              placement: { labels: ['disk-a'] },
              config: { scenario: 'orders', count: 4000, rate: 4000, seed: 3 },
            },
            { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
          ],
          edges: [{ id: 'e', source: 'gen', target: 'out' }],
        }),
        { baseDir: dir, pipelineId: 'placed' },
      );
      const holders = async () => {
        for (const v of await redis.mget(keys.sourceLease('placed', 'gen', 0), keys.sourceLease('placed', 'gen', 1))) {
          const l = readLease(v);
          if (l.kind === 'held') seen.add(l.worker);
        }
      };
      // The unlabelled worker alone: 1 s of its ticks (every 0.5 s at most) takes nothing.
      const watchUntil = Date.now() + 1000;
      while (Date.now() < watchUntil) {
        await holders();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toEqual(new Set());
      labelled = new WorkerPool({ redisUrl: REDIS_URL, prefix, pollMs: 100, labels: ['disk-a', 'ssd'] });
      await labelled.start();
      const done = handle.done;
      let finished = false;
      void done.then(() => (finished = true));
      while (!finished) {
        await holders();
        await new Promise((r) => setTimeout(r, 20));
      }
      const result = await done;
      expect(result.status, result.error).toBe('completed');
      expect(seen).toEqual(new Set([labelled.id]));
      expect(readJsonl(join(dir, 'out.jsonl'))).toHaveLength(4000);
    } finally {
      await plain.close();
      await labelled?.close();
      await runner.close();
    }
  }, 120_000);

  it('counts only workers with the labels in a placed source fair share: two labelled workers hold every partition between them', async () => {
    const dir = tmpPlace();
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const plain = new WorkerPool({ redisUrl: REDIS_URL, prefix, pollMs: 100 });
    const a = new WorkerPool({ redisUrl: REDIS_URL, prefix, pollMs: 100, labels: ['disk-a'] });
    const b = new WorkerPool({ redisUrl: REDIS_URL, prefix, pollMs: 100, labels: ['disk-a', 'ssd'] });
    try {
      await Promise.all([plain.start(), a.start(), b.start()]);
      // Three live workers, two of them may hold the partitions.
      expect(await liveWorkersWith(redis, keys, [], 3000)).toBe(3);
      expect(await liveWorkersWith(redis, keys, ['disk-a'], 3000)).toBe(2);
      expect(await liveWorkersWith(redis, keys, ['ssd'], 3000)).toBe(1);
      // 6 partitions: counting the unlabelled worker, each labelled one would stop at ceil(6 / 3)
      // = 2 and leave 2 partitions unread for ever; counted right, each holds ceil(6 / 2) = 3.
      const handle = await runner.deploy(
        compiled({
          format: 'sluice/v1',
          nodes: [
            {
              id: 'gen',
              type: 'source.generator',
              parallelism: 6,
              placement: { labels: ['disk-a'] },
              config: { scenario: 'orders', count: 6000, rate: 2000, seed: 3 },
            },
            { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
          ],
          edges: [{ id: 'e', source: 'gen', target: 'out' }],
        }),
        { baseDir: dir, pipelineId: 'placed6' },
      );
      const holders = new Set<string>();
      let mostHeld = 0;
      let finished = false;
      void handle.done.then(() => (finished = true));
      while (!finished) {
        const views = (await redis.mget(...[0, 1, 2, 3, 4, 5].map((p) => keys.sourceLease('placed6', 'gen', p)))).map(readLease);
        let held = 0;
        for (const v of views)
          if (v.kind === 'held') {
            holders.add(v.worker);
            held++;
          }
        mostHeld = Math.max(mostHeld, held);
        await new Promise((r) => setTimeout(r, 20));
      }
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      expect(holders).toEqual(new Set([a.id, b.id]));
      expect(mostHeld).toBe(6);
      expect(readJsonl(join(dir, 'out.jsonl'))).toHaveLength(6000);
    } finally {
      await Promise.all([plain.close(), a.close(), b.close()]);
      await runner.close();
    }
  }, 120_000);
});
