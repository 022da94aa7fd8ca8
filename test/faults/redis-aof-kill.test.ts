/**
 * Drill: Redis killed with SIGKILL mid-run, with AOF (`appendfsync always`), then started again.
 * Nothing acknowledged is lost, so the run goes on after the restart and completes, and its
 * output equals the embedded engine's: nothing lost, nothing twice, nothing wrong.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '@sluice/engine';
import { readJsonl } from '@sluice/engine/testing';
import { YSB_DIR, ysbDocumentFor } from '../distributed/ysb-fixture.js';
import { compareOutputs } from './support/compare-outputs.js';
import { OwnRedis } from './support/own-redis.js';
import { FULL, runWithWorkers, until, untilTasksCommit, writeYsbDocument } from './support/redis-drill-process.js';

const EVENTS = FULL ? 12_000_000 : 200_000;
/** At full size every write is fsynced (appendfsync always): 12 M events take minutes on a loaded machine. */
const RUN_MS = FULL ? 1_800_000 : 240_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('drill: Redis kill -9 with AOF mid-run', () => {
  it(
    'the run completes after Redis restarts, and its output equals the embedded engine’s',
    async () => {
      const redis = await OwnRedis.start({ aof: true });
      cleanups.push(() => redis.stop());
      const dir = mkdtempSync(join(tmpdir(), 'sluice-drill-aof-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

      const reference = join(dir, 'embedded.jsonl');
      const embedded = await new EmbeddedRunner().deploy(ysbDocumentFor(EVENTS, reference), { baseDir: YSB_DIR });
      expect((await embedded.done).status).toBe('completed');

      const out = join(dir, 'bullmq.jsonl');
      const { run } = await runWithWorkers([writeYsbDocument(dir, EVENTS, out), '--batch-size', '1000', '--quiet'], 2, redis.url, (f) =>
        cleanups.push(f),
      );
      await untilTasksCommit(redis.client());
      await redis.kill9();
      await redis.restart();
      const code = await Promise.race([run.exited, until('sluice run completes after the restart', () => false, RUN_MS).then(() => -1)]);
      expect(code, run.out()).toBe(0);
      const diff = compareOutputs(readJsonl(reference), readJsonl(out));
      expect({ lost: diff.lost, duplicated: diff.duplicated, wrong: diff.wrong }, JSON.stringify(diff.examples)).toEqual({
        lost: 0,
        duplicated: 0,
        wrong: 0,
      });
      expect(diff.actual).toBeGreaterThan(0);
    },
    RUN_MS + 180_000,
  );
});
