/**
 * Drill: Redis restarted without persistence (SHUTDOWN NOSAVE, then started again, empty) in the
 * middle of a run. The run must fail loudly, naming what happened, and nothing may start again
 * from nothing: `sluice run` exits 1 without truncating its output file; the server's /readyz
 * answers 503, the run's status is `failed`, and ingest answers 503 instead of taking events
 * that nobody will read.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '@sluice/engine';
import { OwnRedis } from './support/own-redis.js';
import { alive, FULL, runWithWorkers, until, untilTasksCommit, writeYsbDocument } from './support/redis-drill-process.js';

const LOST = "Redis lost this run's state";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-drill-lost-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function ownRedis(): Promise<OwnRedis> {
  const redis = await OwnRedis.start();
  cleanups.push(() => redis.stop());
  return redis;
}

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

describe('drill: Redis restarted without persistence mid-run', () => {
  it('sluice run --engine bullmq exits 1 naming the lost state, and its output file is not truncated', async () => {
    const redis = await ownRedis();
    const dir = tempDir();
    const out = join(dir, 'out.jsonl');
    const doc = writeYsbDocument(dir, FULL ? 12_000_000 : 400_000, out);
    const { run } = await runWithWorkers([doc, '--batch-size', '1000', '--quiet'], 2, redis.url, (f) => cleanups.push(f));
    // Windows reached the file: a truncation would show.
    await until(`windows written to ${out}`, () => size(out) > 0 || run.proc.exitCode !== null, 180_000);
    expect(run.proc.exitCode, run.out()).toBeNull();
    const before = size(out);
    await redis.shutdownNosave();
    await redis.restart();
    const code = await Promise.race([run.exited, until('sluice run exits after Redis lost its data', () => false, 120_000).then(() => -1)]);
    expect(code, run.out()).toBe(1);
    expect(run.out()).toContain(LOST);
    expect(size(out)).toBeGreaterThanOrEqual(before);
  }, 300_000);

  it('the server: /readyz 503 naming the lost state, the run failed, ingest 503 (not 202)', async () => {
    const redis = await ownRedis();
    const dir = tempDir();
    const server: RunningServer = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(dir, 'data'),
      examplesDir: join(dir, 'none'),
      editorDist: join(dir, 'none'),
      redisUrl: redis.url,
      prefix: 'drill',
      log: () => undefined,
    });
    cleanups.push(() => server.close());
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const doc = {
      format: 'sluice/v1',
      id: 'inbound',
      nodes: [
        { id: 'http', type: 'source.http', config: { maxBuffered: 100_000 } },
        { id: 'out', type: 'sink.file', config: { path: 'ingested.jsonl' } },
      ],
      edges: [{ id: 'e1', source: 'http', target: 'out' }],
    };
    expect((await call('POST', '/api/pipelines', doc)).status).toBe(201);
    expect((await call('POST', '/api/pipelines/inbound/deploy')).status).toBe(200);
    expect((await call('POST', '/api/ingest/inbound/http', [{ n: 1 }, { n: 2 }])).status).toBe(202);
    expect((await call('GET', '/readyz')).status).toBe(200);

    await redis.shutdownNosave();
    await redis.restart();

    await until('/readyz answers 503', async () => (await call('GET', '/readyz')).status === 503, 60_000);
    const ready = (await (await call('GET', '/readyz')).json()) as { error: { message: string } };
    expect(ready.error.message).toContain(LOST);
    const status = (await (await call('GET', '/api/pipelines/inbound/status')).json()) as { status: string; metrics: { error?: string } };
    expect(status.status).toBe('failed');
    expect(status.metrics.error).toContain(LOST);
    const ingest = await call('POST', '/api/ingest/inbound/http', [{ n: 3 }]);
    expect(ingest.status).toBe(503);
    // Nothing was taken into the empty Redis.
    const probe = redis.client();
    try {
      expect(await probe.keys('drill:ingest:*')).toEqual([]);
    } finally {
      await probe.quit();
    }
  }, 180_000);
});

describe('drill: Redis gone (not back) while sluice run is stopping', () => {
  it('SIGTERM still ends sluice run: exit 1 with a message, its workers gone', async () => {
    const redis = await ownRedis();
    const dir = tempDir();
    const doc = writeYsbDocument(dir, FULL ? 12_000_000 : 2_000_000, join(dir, 'out.jsonl'));
    const { run, workers } = await runWithWorkers([doc, '--batch-size', '1000', '--quiet'], 1, redis.url, (f) => cleanups.push(f));
    await untilTasksCommit(redis.client());
    await redis.shutdownNosave();
    run.proc.kill('SIGTERM');
    const code = await Promise.race([run.exited, until('sluice run exits after SIGTERM', () => false, 60_000).then(() => -1)]);
    expect(code, run.out()).toBe(1);
    expect(run.out()).toMatch(/run stopped without finishing: Redis at .* does not answer/);
    await until('its workers are gone', () => workers.every((pid) => !alive(pid)), 30_000);
  }, 240_000);
});
