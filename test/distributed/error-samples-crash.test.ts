/**
 * Error samples on BullMQ are committed with each task's counters: a worker killed with SIGKILL
 * mid-run neither loses nor double-counts them. The counts equal a clean embedded run's.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { BullmqRunner, compilePipeline, EmbeddedRunner, type RunResult, spawnWorkers } from '@sluice/engine';
import { deletePrefixKeys, readJsonl, sortRows, waitFor } from '@sluice/engine/testing';
import { YSB_DIR, ysbDocumentFor } from './ysb-fixture.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmpSamples = tempFolders('sluice-samples-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const EVENTS = 300_000;
const prefix = `${TEST_KEY_ROOT}-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
});

/**
 * YSB with a filter after the keyed window (so it runs in the workers' tasks) that fails on
 * some window results: a count divisible by 7 gives 1, else one divisible by 5 gives "five".
 */
function erringYsb(out: string): PipelineDocument {
  const doc = structuredClone(ysbDocumentFor(EVENTS, out));
  doc.nodes.push({ id: 'odd', type: 'filter', config: { expression: 'views % 7 == 0 ? 1 : (views % 5 == 0 ? "five" : true)' } });
  doc.edges = doc.edges.filter((e) => e.id !== 'e4');
  doc.edges.push({ id: 'e4', source: 'per_campaign', target: 'odd' }, { id: 'e5', source: 'odd', target: 'counts' });
  const { document, diagnostics } = compilePipeline(doc);
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return document;
}

const byMessage = (r: RunResult) => [...(r.errorSamples?.odd ?? [])].sort((a, b) => a.message.localeCompare(b.message));

describe('error samples on BullMQ (real Redis)', () => {
  it('a worker killed with SIGKILL mid-run: every error still counted once, under its message', async () => {
    const dir = tmpSamples();
    const clean = await (await new EmbeddedRunner().deploy(erringYsb(join(dir, 'clean.jsonl')), { baseDir: YSB_DIR })).done;
    expect(clean.status).toBe('completed');
    const errors = clean.metrics.nodes.odd!.errors;
    expect(errors).toBeGreaterThan(0);
    // Two messages only, so all of them are kept and every error is under one of them.
    const expected = byMessage(clean);
    expect(expected.map((s) => s.message)).toEqual([
      'the filter expression gave number 1, not true or false',
      'the filter expression gave the string "five", not true or false',
    ]);
    expect(expected[0]!.count + expected[1]!.count).toBe(errors);

    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    expect(await runner.ready()).toBe(true);
    const workers = spawnWorkers(3, { redisUrl: REDIS_URL, prefix });
    try {
      const out = join(dir, 'bullmq.jsonl');
      const handle = await runner.deploy(erringYsb(out), { baseDir: YSB_DIR, batchSize: 1000, partitions: 2 });
      await waitFor(() => handle.metrics().nodes.per_campaign!.in > EVENTS / 10, 60_000);
      workers.processes[0]!.kill('SIGKILL');
      const result = await handle.done;
      expect(result.status).toBe('completed');
      expect(result.metrics.nodes.odd!.errors).toBe(errors);
      expect(byMessage(result)).toEqual(expected);
      expect(sortRows(readJsonl(out))).toEqual(sortRows(readJsonl(join(dir, 'clean.jsonl'))));
    } finally {
      await workers.stop();
      await runner.close();
    }
  }, 180_000);
});
