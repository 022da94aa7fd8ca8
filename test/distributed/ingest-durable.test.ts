/**
 * Durable ingest against the real Redis: a server in BullMQ mode (`sluice serve` with
 * REDIS_URL, its own process) answers 202 to posted events, is killed with SIGKILL before it
 * has processed them all, and is started again on the same Redis, prefix and data folder. The
 * sink then holds every posted event exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalWorkers, spawnWorkers, stopProcess } from '@sluice/engine';
import { deletePrefixKeys, RedisKeys } from '@sluice/engine/testing';
import {
  call,
  kill9,
  post as postRange,
  type Server,
  sinkLines,
  stagedIngestDocument,
  startServer,
} from '../faults/support/sluice-server.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmpData = tempFolders('sluice-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefixes: string[] = [];
const children: ChildProcess[] = [];
const workerSets: LocalWorkers[] = [];

afterAll(async () => {
  for (const p of children) await stopProcess(p, 'SIGKILL');
  for (const w of workerSets) await w.stop();
  for (const prefix of prefixes) await deletePrefixKeys(REDIS_URL, prefix);
});

async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Post `total` events (field seq = 0..total-1) in requests of `per`, one after another; all must be 202. */
function post(server: Server, pid: string, total: number, per: number): Promise<void> {
  return postRange(server, pid, 'http', 0, total, per);
}

function expectEachOnce(lines: { seq: number }[], total: number): void {
  const seqs = lines.map((l) => l.seq).sort((a, b) => a - b);
  expect(seqs.length).toBe(total);
  expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i));
}

function setup(name: string) {
  const prefix = `${TEST_KEY_ROOT}-ingest-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  const dataDir = tmpData(name);
  return { prefix, dataDir, out: join(dataDir, 'files', 'ingested.jsonl'), keys: new RedisKeys(prefix) };
}

/**
 * source.http -> sink.file (the sink chained into the source's stage, run by the worker holding
 * the source's lease): post, SIGKILL the server and that worker, start both again, wait for every
 * event. The sink's seqs, sorted.
 */
async function crashChained(): Promise<{ seqs: number[]; total: number }> {
  const { prefix, dataDir, out, keys } = setup('ingest');
  const probe = new Redis(REDIS_URL);
  try {
    const total = 20_000;
    const first = await startServer({ redisUrl: REDIS_URL, prefix, dataDir }, children);
    // Short source leases: the killed worker's partition is taken over within seconds.
    process.env.SLUICE_SOURCE_LEASE_MS = '2000';
    const worker = spawnWorkers(1, { redisUrl: REDIS_URL, prefix });
    workerSets.push(worker);
    const doc = {
      format: 'sluice/v1',
      id: 'inbound',
      nodes: [
        { id: 'http', type: 'source.http', config: { maxBuffered: total } },
        { id: 'out', type: 'sink.file', config: { path: 'ingested.jsonl' } },
      ],
      edges: [{ id: 'e1', source: 'http', target: 'out' }],
    };
    expect((await call(first, 'POST', '/api/pipelines', doc)).status).toBe(201);
    expect((await call(first, 'POST', '/api/pipelines/inbound/deploy')).status).toBe(200);
    await post(first, 'inbound', total, 2_000);
    await kill9(first.process);
    await kill9(worker.processes[0]!);
    const written = sinkLines(out).length;
    const inStream = await probe.xlen(keys.ingest('inbound', 'http'));
    // Every accepted event is in the sink file or still in Redis.
    expect(written + inStream).toBeGreaterThanOrEqual(total);
    const second = await startServer({ redisUrl: REDIS_URL, prefix, dataDir }, children);
    workerSets.push(spawnWorkers(1, { redisUrl: REDIS_URL, prefix }));
    await waitUntil(
      () => sinkLines(out).length >= total,
      90_000,
      `${total} lines in the sink (were ${written} at the crash, ${inStream} in the stream)`,
    );
    // Give a duplicate the time to show up.
    await new Promise((r) => setTimeout(r, 1000));
    await kill9(second.process);
    await workerSets.pop()!.stop();
    return {
      seqs: sinkLines(out)
        .map((l) => l.seq)
        .sort((a, b) => a - b),
      total,
    };
  } finally {
    delete process.env.SLUICE_SOURCE_LEASE_MS;
    await probe.quit();
  }
}

describe('durable ingest on BullMQ (real Redis, server killed with SIGKILL)', () => {
  it('source.http -> sink.file: no event accepted (202) before the crash is lost', async () => {
    const { seqs, total } = await crashChained();
    expect(new Set(seqs).size).toBe(total);
    expect(Math.min(...seqs)).toBe(0);
    expect(Math.max(...seqs)).toBe(total - 1);
  }, 240_000);

  // The sink is chained into the source's stage: its committed length travels in the source
  // checkpoint, so the worker that takes the partition over truncates what was written after it.
  it('source.http -> sink.file: and none twice', async () => {
    const { seqs, total } = await crashChained();
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i));
  }, 240_000);

  it('source.http -> sink.file on workers: events still in the stream at the crash are read by the restarted server, once', async () => {
    const { prefix, dataDir, out, keys } = setup('ingest-workers');
    const probe = new Redis(REDIS_URL);
    try {
      const total = 6_000;
      const first = await startServer({ redisUrl: REDIS_URL, prefix, dataDir }, children);
      // Two sources meeting at the sink put the sink in a stage of its own (committed with its
      // state: exactly once). No worker runs before the crash, and the server reads no source:
      // every posted event is still in the stream.
      const doc = stagedIngestDocument(total);
      expect((await call(first, 'POST', '/api/pipelines', doc)).status).toBe(201);
      expect((await call(first, 'POST', '/api/pipelines/staged/deploy')).status).toBe(200);
      await post(first, 'staged', total, 50);
      await kill9(first.process);
      const inStream = await probe.xlen(keys.ingest('staged', 'http'));
      expect(inStream).toBeGreaterThan(0);
      expect(sinkLines(out)).toEqual([]);

      await startServer({ redisUrl: REDIS_URL, prefix, dataDir }, children);
      workerSets.push(spawnWorkers(2, { redisUrl: REDIS_URL, prefix }));
      await waitUntil(
        () => sinkLines(out).length >= total,
        60_000,
        `${total} lines in the sink (${inStream} were in the stream at the crash)`,
      );
      await new Promise((r) => setTimeout(r, 1000));
      expectEachOnce(sinkLines(out), total);
      // What the checkpoints cover was trimmed from the stream.
      await waitUntil(async () => (await probe.xlen(keys.ingest('staged', 'http'))) === 0, 10_000, 'the stream emptied');
    } finally {
      await probe.quit();
    }
  }, 120_000);
});
