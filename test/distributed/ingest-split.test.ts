/**
 * HTTP ingest split by a key field (source.http, parallelism 3, `partitionBy: user`) on BullMQ:
 * `sluice serve` in its own process only appends each posted record to its partition's Redis
 * stream; 2 `sluice worker` processes read the 3 partitions under leases. 5 s windows of counts
 * and sums per user are compared exactly with the windows computed by hand from the posted
 * events (lost 0, duplicated 0): on a clean run, and with a worker killed (SIGKILL) half-way
 * through the posting. A request with a record without the key is refused whole (400).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { keyPartition } from '@sluice/shared';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { type LocalWorkers, spawnWorkers, stopProcess } from '@sluice/engine';
import { deletePrefixKeys, readJsonl, RedisKeys } from '@sluice/engine/testing';
import { call, type Server, startServer } from '../faults/support/sluice-server.js';
import { eachHoldsOne, kill9, waitFor } from './support/split-holders.js';

const tmpIngestSplit = tempFolders('sluice-ingest-split-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PID = 'clicks';
const PARTITIONS = 3;
const EVENTS = 3_000;
const USERS = 10;
const children: ChildProcess[] = [];
const workerSets: LocalWorkers[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  for (const p of children) await stopProcess(p, 'SIGKILL');
  for (const w of workerSets) await w.stop();
  for (const p of prefixes) await deletePrefixKeys(REDIS_URL, p);
});

const DOC = {
  format: 'sluice/v1',
  id: PID,
  nodes: [
    {
      id: 'in',
      type: 'source.http',
      parallelism: PARTITIONS,
      config: { maxBuffered: 100_000, partitionBy: 'user', timeField: 'ts' },
    },
    {
      id: 'win',
      type: 'window',
      config: {
        type: 'tumbling',
        size: '5s',
        keyBy: ['user'],
        aggregates: [
          { as: 'n', op: 'count' },
          { as: 'total', op: 'sum', field: 'v' },
        ],
      },
    },
    { id: 'out', type: 'sink.file', config: { path: 'windows.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'win' },
    { id: 'e2', source: 'win', target: 'out' },
  ],
};

/** Event i: user u<i mod 10>, v = i mod 5, event time i * 10 ms (30 s in all). */
const event = (i: number) => ({ user: `u${i % USERS}`, v: i % 5, ts: i * 10 });

type Row = { user: string; window_start: number; window_end: number; n: number; total: number };

function expectedWindows(): Row[] {
  const byKey = new Map<string, Row>();
  for (let i = 0; i < EVENTS; i++) {
    const e = event(i);
    const start = Math.floor(e.ts / 5_000) * 5_000;
    const k = `${start}/${e.user}`;
    let r = byKey.get(k);
    if (!r) byKey.set(k, (r = { user: e.user, window_start: start, window_end: start + 5_000, n: 0, total: 0 }));
    r.n++;
    r.total += e.v;
  }
  return sorted([...byKey.values()]);
}

const sorted = (rows: Row[]) => [...rows].sort((a, b) => a.window_start - b.window_start || a.user.localeCompare(b.user));

async function postEvents(server: Server, from: number, to: number): Promise<void> {
  for (let at = from; at < to; at += 250) {
    const batch = Array.from({ length: Math.min(250, to - at) }, (_, k) => event(at + k));
    const res = await call(server, 'POST', `/api/ingest/${PID}/in`, batch);
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.json)}`);
  }
}

/** One event far ahead in every partition: each partition's watermark passes the last window. */
async function closeWindows(server: Server): Promise<void> {
  const closers: { user: string; v: number; ts: number }[] = [];
  for (let j = 0; closers.length < PARTITIONS; j++) {
    const user = `end-${j}`;
    if (keyPartition(user, PARTITIONS) === closers.length) closers.push({ user, v: 0, ts: 10_000_000 });
  }
  expect((await call(server, 'POST', `/api/ingest/${PID}/in`, closers)).status).toBe(202);
}

async function run(killOne: boolean): Promise<{ rows: Row[]; badStatus: number; badBody: unknown }> {
  const prefix = `${TEST_KEY_ROOT}-ingestsplit-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  const keys = new RedisKeys(prefix);
  const dataDir = tmpIngestSplit();
  const probe = new Redis(REDIS_URL);
  try {
    const server = await startServer({ redisUrl: REDIS_URL, prefix, dataDir }, children);
    // Short source leases: a killed worker's partitions are free again within 2 s.
    process.env.SLUICE_SOURCE_LEASE_MS = '2000';
    const workers = spawnWorkers(2, { redisUrl: REDIS_URL, prefix });
    delete process.env.SLUICE_SOURCE_LEASE_MS;
    workerSets.push(workers);
    expect((await call(server, 'POST', '/api/pipelines', DOC)).status).toBe(201);
    expect((await call(server, 'POST', `/api/pipelines/${PID}/deploy`)).status).toBe(200);
    await waitFor(() => eachHoldsOne(probe, keys, PID, 'in', PARTITIONS, workers.processes), 120_000, 'both workers hold a partition');

    // A good record then one without `user`: the request is refused whole (the good one is not counted below).
    const bad = await call(server, 'POST', `/api/ingest/${PID}/in`, [event(0), { v: 1, ts: 5 }]);

    await postEvents(server, 0, EVENTS / 2);
    if (killOne) await kill9(workers.processes[0]!);
    await postEvents(server, EVENTS / 2, EVENTS);
    await closeWindows(server);
    const out = join(dataDir, 'files', 'windows.jsonl');
    const expected = expectedWindows().length;
    await waitFor(() => readJsonl(out).length >= expected, 180_000, `${expected} windows in the sink`);
    // Stopping drains what is queued: a duplicate would be in the file by then.
    expect((await call(server, 'POST', `/api/pipelines/${PID}/stop`)).status).toBe(200);
    return { rows: sorted(readJsonl(out) as Row[]), badStatus: bad.status, badBody: bad.json };
  } finally {
    await probe.quit();
  }
}

describe('HTTP ingest split by key in 3 streams on BullMQ with 2 workers', () => {
  it('every window once, with the counts and sums of the posted events; a record without the key refuses its request', async () => {
    const { rows, badStatus, badBody } = await run(false);
    expect(badStatus).toBe(400);
    expect(badBody).toMatchObject({
      error: {
        code: 'missing-partition-key',
        message:
          'record 1 has no value in "user" (a string, number or boolean), the field that places records in node "in"\'s partitions (partitionBy); nothing was taken',
      },
    });
    const expected = expectedWindows();
    expect(expected).toHaveLength(6 * USERS);
    expect(rows).toEqual(expected);
  }, 300_000);

  it('a worker killed with SIGKILL half-way: the other reads its partitions on from their checkpoints, every window once', async () => {
    const { rows } = await run(true);
    expect(rows).toEqual(expectedWindows());
  }, 300_000);
});
