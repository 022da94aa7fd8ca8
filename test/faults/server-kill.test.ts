/**
 * kill -9 of the server (the coordinator) during HTTP ingest, then a restart on the same Redis
 * (one of the drill's own), prefix and data folder. Two sources meet at the sink, so the sink
 * runs on workers. Every record answered 202 reaches the sink file once: the same rows as the
 * embedded engine would write for the records posted (this pipeline passes records through), and
 * the restarted server's count of the sink equals the file.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalWorkers, spawnWorkers, stopProcess } from '@sluice/engine';
import { compareOutputs } from './support/compare-outputs.js';
import { OwnRedis } from './support/own-redis.js';
import { call, kill9, post, sinkLines, stagedIngestDocument, startServer } from './support/sluice-server.js';
import { FULL } from './support/ysb-drill.js';
import { waitUntil } from './support/wait-until.js';

const TOTAL = FULL ? 200_000 : 20_000;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const p of children) await stopProcess(p, 'SIGKILL');
  for (const c of cleanups.reverse()) await c();
});

describe('the server killed with SIGKILL during ingest, then restarted', () => {
  it('every record accepted reaches the sink once, and the server counts what the file holds', async () => {
    const redis = await OwnRedis.start({ aof: false });
    cleanups.push(() => redis.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-server-drill-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { redisUrl: redis.url, prefix: `drill-${randomUUID().slice(0, 8)}`, dataDir };
    const workers: LocalWorkers = spawnWorkers(2, { redisUrl: redis.url, prefix: env.prefix });
    cleanups.push(() => workers.stop());
    const out = join(dataDir, 'files', 'ingested.jsonl');
    const first = await startServer(env, children);
    const doc = stagedIngestDocument(TOTAL);
    expect((await call(first, 'POST', '/api/pipelines', doc)).status).toBe(201);
    expect((await call(first, 'POST', '/api/pipelines/staged/deploy')).status).toBe(200);
    const half = TOTAL / 2;
    await post(first, 'staged', 'http', 0, half, 500);
    // Killed mid-stream: part of what was accepted is in the file, part still in Redis.
    await waitUntil(() => sinkLines(out).length > 0, 60_000, 'the sink wrote something');
    await kill9(first.process);
    const second = await startServer(env, children);
    await post(second, 'staged', 'http', half, TOTAL, 500);
    const sinkIn = async () =>
      ((await call(second, 'GET', '/api/pipelines/staged/status')).json as { metrics?: { nodes: Record<string, { in: number }> } }).metrics
        ?.nodes.out?.in ?? 0;
    // Done when the committed count has reached every record; a duplicate would show in the file.
    await waitUntil(async () => (await sinkIn()) >= TOTAL, 120_000, `the sink counted ${TOTAL} records`);
    const rows = sinkLines(out);
    const expected = Array.from({ length: TOTAL }, (_, i) => ({ seq: i }));
    const c = compareOutputs(expected, rows);
    expect({ lost: c.lost, duplicated: c.duplicated, wrong: c.wrong }, JSON.stringify(c.examples)).toEqual({
      lost: 0,
      duplicated: 0,
      wrong: 0,
    });
    expect(await sinkIn()).toBe(rows.length);
    await kill9(second.process);
  }, 300_000);
});
