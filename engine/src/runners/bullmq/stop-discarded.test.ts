/**
 * Issue 10 item 12: a stop drains queued batches within a bound, then removes what is left. It
 * used to drop computed results without a word; the stop's result now says what it discarded.
 * The one worker here serves the source only, no keyed queue, so nothing drains and every shipped
 * event is discarded.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiled, waitFor } from '../runner.contract.js';
import { BullmqRunner } from './bullmq-runner.js';
import { deletePrefixKeys } from './test-keys.js';
import { WorkerPool } from './worker-pool.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-discard-${randomUUID().slice(0, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-discard-'));

afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  rmSync(dir, { recursive: true, force: true });
});

const doc = {
  format: 'sluice/v1',
  id: 'discard',
  nodes: [
    { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 3000, rate: 0, seed: 1 } },
    { id: 'win', type: 'window', config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }] } },
    { id: 'out', type: 'sink.file', config: { path: 'windows.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'gen', target: 'win' },
    { id: 'e2', source: 'win', target: 'out' },
  ],
};

describe('stop on BullMQ', () => {
  it('says how many queued batches and events its bounded drain discarded', async () => {
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix, stopDrainMs: 300 });
    if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}: this test needs it`);
    const sources = new WorkerPool({ redisUrl: REDIS_URL, prefix, sourcesOnly: true, pollMs: 100 });
    await sources.start();
    try {
      const handle = await runner.deploy(compiled(doc), { baseDir: dir, batchSize: 500, partitions: 2 });
      // Every generated order has left the source stage for the window's queues.
      await waitFor(() => handle.metrics().nodes.gen!.out === 3000, 60_000);
      const result = await handle.stop();
      expect(result.status).toBe('stopped');
      expect(result.discarded?.events).toBe(3000);
      expect(result.discarded?.batches).toBeGreaterThanOrEqual(6); // 3000 events in batches of at most 500
    } finally {
      await sources.close();
      await runner.close();
    }
  }, 120_000);
});
