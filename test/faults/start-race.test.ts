/**
 * Two workers start the same sink task: one reads the task's state (nothing committed yet) and
 * is paused before it builds from it, long enough for its job to go to the other worker, which
 * starts the task, writes and commits windows. The paused one then wakes and starts the task too.
 * A file sink in overwrite mode used to empty its file in that start: committed windows were
 * lost and the next batch left zeros. Its start now only stages a new file, which replaces the
 * output only once that start is committed (nodes/src/file/sink/README.md), so the late start does nothing.
 * The pause is a worker drill setting (SLUICE_DRILL_START_PAUSE, worker-pool.ts).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drillStarter, expectExact } from './support/ysb-drill.js';
import { waitUntil } from './support/wait-until.js';

const LOCK_MS = 2_000;

const startDrill = drillStarter();

describe('a worker paused between reading a fresh task and starting it', () => {
  it('its late start of an overwrite-mode file sink loses nothing the other worker committed', async () => {
    const drill = await startDrill({ events: 1_000_000, workers: 2, lockMs: LOCK_MS, startPause: LOCK_MS * 4 });
    // The paused worker's first sink job did outlive its lock and went to the other worker.
    await waitUntil(async () => (await drill.stalledSinkJobs()) > 0, 300_000, "the sink's first job taken over");
    expectExact(await drill.finish());
    // Only the output is left beside it: the late start's staged file is gone.
    expect(readdirSync(drill.dir).filter((f) => f.includes('bullmq.jsonl'))).toEqual(['bullmq.jsonl']);
  }, 900_000);
});
