/**
 * Watermark alignment of split sources on BullMQ (docs/watermark-alignment.md), against the real
 * Redis with a worker pool in this process: a partition held back by the test stops its fast
 * peer at the drift (observed in their checkpoints), and the windows come out exactly as the
 * embedded engine's; a partition that went idle (its last poll got less than it asked) does not
 * hold the others back; a bad drift fails the deploy.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { keyPartition } from '@sluice/shared';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { RedisIngestHub } from '../../runtime/redis-ingest-hub.js';
import { EmbeddedRunner } from '../embedded/embedded-runner.js';
import { compiled, readJsonl } from '../runner.contract.js';
import { BullmqRunner } from './bullmq-runner.js';
import { RedisKeys } from './keys.js';
import type { SourceCounters } from './source-checkpoints.js';
import { deletePrefixKeys } from './test-keys.js';
import { WorkerPool } from './worker-pool.js';

const tmpAlign = tempFolders('sluice-align-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-align-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await redis.quit();
  await deletePrefixKeys(REDIS_URL, prefix);
});

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function counters(pid: string, node: string, partition: number): Promise<SourceCounters | undefined> {
  const raw = await redis.get(keys.sourceCounters(pid, node, partition));
  return raw ? (JSON.parse(raw) as SourceCounters) : undefined;
}

/** The generator's default first event time (2026-01-01T00:00:00Z); 1 ms per event at rate 0. */
const START = Date.UTC(2026, 0, 1);

/** 40,000 orders split in 2 (blocks of 1,024 dealt round robin), counted per category in 10 s windows. */
const windowsDoc = (path: string) =>
  compiled({
    format: 'sluice/v1',
    id: 'aligned',
    nodes: [
      { id: 'gen', type: 'source.generator', parallelism: 2, config: { scenario: 'orders', count: 40_000, seed: 7 } },
      {
        id: 'win',
        type: 'window',
        config: { type: 'tumbling', size: '10s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] },
      },
      { id: 'out', type: 'sink.file', config: { path } },
    ],
    edges: [
      { id: 'e1', source: 'gen', target: 'win' },
      { id: 'e2', source: 'win', target: 'out' },
    ],
  });

const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('watermark alignment on BullMQ', () => {
  it('stops a partition at the drift past a slower one, and the output is the embedded engine’s', async () => {
    const dir = tmpAlign();
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const polls = [0, 0];
    let waits = 0;
    let releaseSlow!: () => void;
    const slowReleased = new Promise<void>((r) => (releaseSlow = r));
    let slowHeld!: () => void;
    const slowIsHeld = new Promise<void>((r) => (slowHeld = r));
    const pool = new WorkerPool({
      redisUrl: REDIS_URL,
      prefix,
      pollMs: 100,
      // Partition 1 reads 2 batches, then is held; partition 0 starts once it is (before that,
      // partition 1 has no event time and would hold nobody back).
      beforeSourcePoll: async (_node, partition) => {
        polls[partition]!++;
        if (partition === 1 && polls[1] === 3) {
          slowHeld();
          await slowReleased;
        }
        if (partition === 0 && polls[0] === 1) await slowIsHeld;
      },
      onAlignmentWait: (_node, partition) => {
        if (partition === 0) waits++;
      },
    });
    try {
      await pool.start();
      const handle = await runner.deploy(windowsDoc('out.jsonl'), { baseDir: dir, batchSize: 1000, maxDriftMs: 5000 });
      await slowIsHeld;
      // Partition 1 read own events 0-1,999 (seq 1,024-2,047 and 3,072-4,047): watermark 4,047 ms.
      await until('partition 0 waits for alignment', () => waits > 0);
      expect((await counters('aligned', 'gen', 1))?.watermark).toBe(START + 4047);
      // Partition 0 polls while its watermark is <= 4,047 + 5,000: after 4 batches it is at
      // 7,071 (own event 3,999 = seq 6,144 + 927), after the 5th at 9,095 (seq 8,192 + 903).
      expect(polls[0]).toBe(5);
      expect((await counters('aligned', 'gen', 0))?.watermark).toBe(START + 9095);
      // It keeps waiting (and re-reading its peer) without polling while partition 1 is held.
      const seen = waits;
      await until('partition 0 waits 20 times more', () => waits >= seen + 20);
      expect(polls[0]).toBe(5);
      expect((await counters('aligned', 'gen', 0))?.watermark).toBe(START + 9095);
      releaseSlow();
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');

      const embeddedDir = tmpAlign();
      const embedded = await (await new EmbeddedRunner().deploy(windowsDoc('out.jsonl'), { baseDir: embeddedDir })).done;
      expect(embedded.status, embedded.error).toBe('completed');
      const want = readJsonl(join(embeddedDir, 'out.jsonl'));
      // 40 s of event time, 4 windows for each category: lost 0, duplicated 0.
      expect(want.length).toBeGreaterThan(0);
      expect(sorted(readJsonl(join(dir, 'out.jsonl')))).toEqual(sorted(want));
    } finally {
      releaseSlow();
      await pool.close();
      await runner.close();
    }
  }, 180_000);

  it('refuses a drift that is not a number of ms >= 0 or off, naming where it came from', async () => {
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const doc = windowsDoc('out.jsonl');
    const saved = process.env.SLUICE_ALIGN_MAX_DRIFT_MS;
    try {
      await expect(runner.deploy(doc, { baseDir: tmpAlign(), pipelineId: 'refused', maxDriftMs: -1 })).rejects.toThrow(
        'the deploy option maxDriftMs: watermark alignment drift must be a number of milliseconds >= 0, or "off" (got -1)',
      );
      process.env.SLUICE_ALIGN_MAX_DRIFT_MS = 'soon';
      await expect(runner.deploy(doc, { baseDir: tmpAlign(), pipelineId: 'refused' })).rejects.toThrow(
        'SLUICE_ALIGN_MAX_DRIFT_MS: watermark alignment drift must be a number of milliseconds >= 0, or "off" (got soon)',
      );
      // Nothing of either deploy was written.
      expect(await redis.exists(keys.pipeline('refused'))).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.SLUICE_ALIGN_MAX_DRIFT_MS;
      else process.env.SLUICE_ALIGN_MAX_DRIFT_MS = saved;
      await runner.close();
    }
  });

  it('does not let an idle partition hold the others back', async () => {
    const dir = tmpAlign();
    const hub = new RedisIngestHub({ redisUrl: REDIS_URL, prefix });
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const pool = new WorkerPool({ redisUrl: REDIS_URL, prefix, pollMs: 100 });
    // Keys by the partition (of 2) their text hashes to.
    const keyOf = (p: number) => ['a', 'b', 'c', 'd', 'e', 'f'].find((k) => keyPartition(k, 2) === p)!;
    try {
      await pool.start();
      const handle = await runner.deploy(
        compiled({
          format: 'sluice/v1',
          id: 'idle',
          nodes: [
            { id: 'in', type: 'source.http', parallelism: 2, config: { partitionBy: 'k', timeField: 'ts' } },
            { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
          ],
          edges: [{ id: 'e', source: 'in', target: 'out' }],
        }),
        { baseDir: dir, batchSize: 5, maxDriftMs: 5000, ingest: hub },
      );
      // Partition 1 reads a full batch (event time 1,000-1,004), then nothing: idle.
      const early = [0, 1, 2, 3, 4].map((i) => ({ k: keyOf(1), ts: 1000 + i }));
      expect(await hub.offer('idle', 'in', early)).toBe('accepted');
      await until('partition 1 is idle at 1,004', async () => {
        const c = await counters('idle', 'in', 1);
        return c?.watermark === 1004 && c.idle === true;
      });
      // Partition 0: 60 s of events in batches of 5, far past 1,004 + 5,000.
      const late = Array.from({ length: 60 }, (_, i) => ({ k: keyOf(0), ts: i * 1000 }));
      expect(await hub.offer('idle', 'in', late)).toBe('accepted');
      await until('every record is written', () => readJsonl(join(dir, 'out.jsonl')).length === 65);
      expect((await counters('idle', 'in', 0))?.watermark).toBe(59_000);
      const result = await handle.stop();
      expect(result.status, result.error).toBe('stopped');
      expect(sorted(readJsonl(join(dir, 'out.jsonl')))).toEqual(sorted([...early, ...late]));
    } finally {
      await pool.close();
      await runner.close();
      await hub.quit();
    }
  }, 180_000);
});
