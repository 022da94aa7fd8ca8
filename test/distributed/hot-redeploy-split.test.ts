/**
 * A hot redeploy of a pipeline whose source is split in 2 partitions, on BullMQ with 2 worker
 * processes: the workers park their source partitions at a checkpoint, the state is re-cut, and
 * the kept partitions resume where they were and re-send their watermark. Every window comes
 * out once, with the counts of a run that was never swapped (the embedded engine's).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BullmqRunner, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { compiled, deletePrefixKeys, readJsonl, sortRows } from '@sluice/engine/testing';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-splitswap-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** 6,000 orders paced at 1,500/s (4 s of event time), split in 2; 1 s windows of counts per category. */
function doc(tag: string) {
  return compiled({
    format: 'sluice/v1',
    id: 'split-swap',
    params: { tag: { type: 'string', value: tag } },
    nodes: [
      {
        id: 'orders',
        type: 'source.generator',
        parallelism: 2,
        config: { scenario: 'orders', count: 6000, rate: 1500, seed: 9, startTime: 0 },
      },
      {
        id: 'win',
        type: 'window',
        config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] },
      },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'win' },
      { id: 'e2', source: 'win', target: 'out' },
    ],
  });
}

describe('hot redeploy with a split source on BullMQ', () => {
  it('parks and resumes the source partitions: every window once, the counts of a run never swapped', async () => {
    const reference = tmp('ref');
    const embedded = new EmbeddedRunner();
    const ref = await (await embedded.deploy(doc('v1'), { baseDir: reference })).done;
    expect(ref.status).toBe('completed');
    const expected = sortRows(readJsonl(join(reference, 'out.jsonl')));
    expect(expected.length).toBeGreaterThan(8); // 4 s of windows over 8 categories

    const prefix = `${TEST_KEY_ROOT}-splitswap-${randomUUID().slice(0, 8)}`;
    const dir = tmp();
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const workers = spawnWorkers(2, { redisUrl: REDIS_URL, prefix });
    try {
      const handle = await runner.deploy(doc('v1'), { baseDir: dir });
      const deadline = Date.now() + 120_000;
      while ((handle.metrics().nodes.orders?.out ?? 0) < 1500) {
        if (Date.now() > deadline) throw new Error('the source did not reach 1,500 events within 120 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      // A param-only change: every node is kept, the source partitions resume where they were.
      const diff = await handle.redeploy!(doc('v2'), { baseDir: dir });
      expect(diff.kept.sort()).toEqual(['orders', 'out', 'win']);
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      expect(result.metrics.nodes.orders).toMatchObject({ out: 6000 });
      expect(sortRows(readJsonl(join(dir, 'out.jsonl')))).toEqual(expected);
    } finally {
      await workers.stop();
      await runner.close();
      await deletePrefixKeys(REDIS_URL, prefix);
    }
  }, 300_000);
});
