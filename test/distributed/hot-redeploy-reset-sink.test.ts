/**
 * A hot redeploy on BullMQ that changes a file sink (another path, in overwrite mode): the sink
 * is reset, so it starts fresh inside a task whose other state was carried over. Its start must
 * still be committed and take effect: the new path's old content is replaced, and every window
 * comes out once across the two files (before the swap in the first, after it in the second),
 * with the counts of a run that was never swapped (the embedded engine's).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BullmqRunner, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { compiled, deletePrefixKeys, readJsonl, sortRows } from '@sluice/engine/testing';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-sinkswap-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** 6,000 orders paced at 1,500/s (4 s of event time); 1 s windows of counts per category. */
function doc(out: { path: string; mode: 'append' | 'overwrite' }) {
  return compiled({
    format: 'sluice/v1',
    id: 'sink-swap',
    nodes: [
      { id: 'orders', type: 'source.generator', config: { scenario: 'orders', count: 6000, rate: 1500, seed: 9, startTime: 0 } },
      {
        id: 'win',
        type: 'window',
        config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] },
      },
      { id: 'out', type: 'sink.file', config: out },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'win' },
      { id: 'e2', source: 'win', target: 'out' },
    ],
  });
}

describe('hot redeploy that resets a file sink on BullMQ', () => {
  it('the reset sink starts in a carried-over task: its file is replaced, and every window comes out once across both files', async () => {
    const reference = tmp('ref');
    const ref = await (await new EmbeddedRunner().deploy(doc({ path: 'out.jsonl', mode: 'overwrite' }), { baseDir: reference })).done;
    expect(ref.status).toBe('completed');
    const expected = sortRows(readJsonl(join(reference, 'out.jsonl')));
    expect(expected.length).toBeGreaterThan(8); // 4 s of windows over 8 categories

    const prefix = `${TEST_KEY_ROOT}-sinkswap-${randomUUID().slice(0, 8)}`;
    const dir = tmp();
    writeFileSync(join(dir, 'second.jsonl'), '{"stale":true}\n');
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const workers = spawnWorkers(2, { redisUrl: REDIS_URL, prefix });
    try {
      const handle = await runner.deploy(doc({ path: 'first.jsonl', mode: 'append' }), { baseDir: dir, partitions: 2 });
      const deadline = Date.now() + 120_000;
      while ((handle.metrics().nodes.out?.in ?? 0) < 8) {
        if (Date.now() > deadline) throw new Error('no window reached the sink within 120 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      const diff = await handle.redeploy!(doc({ path: 'second.jsonl', mode: 'overwrite' }), { baseDir: dir });
      expect(diff.reset).toEqual(['out']);
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      const first = readJsonl(join(dir, 'first.jsonl'));
      const second = readJsonl(join(dir, 'second.jsonl'));
      expect(second.length).toBeGreaterThan(0); // the swap came before the last windows
      expect(sortRows([...first, ...second])).toEqual(expected); // the stale line is gone, nothing lost or twice
      expect(readdirSync(dir).sort()).toEqual(['first.jsonl', 'second.jsonl']);
    } finally {
      await workers.stop();
      await runner.close();
      await deletePrefixKeys(REDIS_URL, prefix);
    }
  }, 300_000);
});
