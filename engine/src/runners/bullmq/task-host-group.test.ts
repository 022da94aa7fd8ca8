/**
 * A task applying a job group (job-group.ts) against the real Redis: one claim and one commit
 * for the group, the very downstream jobs one job at a time sends, a group pinned by a worker
 * that died applied whole by the next, and a stale worker repeating the current one's output.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_TIME, type Event, type PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../compile/plan.js';
import { compiled } from '../runner.contract.js';
import { type BatchJob, decodeEvents, encodeEvents, encodeWatermark } from './batch-codec.js';
import type { OutgoingJob } from './exchange-buffer.js';
import { groupKey, type WaitingJobs } from './job-group.js';
import { waitingJobsOf } from './keyed-queues.js';
import { jobId, RedisKeys } from './keys.js';
import { ClaimPending, StaleTask, TaskHost } from './task-host.js';
import { TaskStateStore } from './task-state-store.js';
import { deletePrefixKeys } from './test-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-group-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const store = new TaskStateStore(redis, keys);
const PIDS = ['one', 'grouped', 'bound', 'adopt', 'missing', 'stale'];

beforeAll(async () => {
  if ((await redis.ping()) !== 'PONG') throw new Error(`Redis does not answer at ${REDIS_URL}`);
  for (const pid of PIDS) await redis.set(keys.runMarker(pid), 'test');
});
afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  await redis.quit();
});

// Stage 0 = src; stage 1 = win + tag (the task under test, partition 0); stage 2 = out.
const doc: PipelineDocument = compiled({
  format: 'sluice/v1',
  nodes: [
    { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 10, seed: 1 } },
    { id: 'win', type: 'window', config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] } },
    { id: 'tag', type: 'map', config: { set: { v: '"x"' } } },
    { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'src', target: 'win' },
    { id: 'e2', source: 'win', target: 'tag' },
    { id: 'e3', source: 'tag', target: 'out' },
  ],
});
const plan = buildPlan(doc, nodeDefinitions, { partitions: 2 });

function ev(category: string, t: number): Event {
  return { category, [EVENT_TIME]: t } as Event;
}
function job(seq: number, wm: number, events: Event[]): BatchJob {
  return { edge: 'e1', from: 0, to: 0, seq, wm: encodeWatermark(wm), ...encodeEvents(events) };
}
// Window [0, 1000): a twice, b once, closed by job 2's watermark; [1000, 2000): a once, closed by job 3's.
const jobs = [job(1, 500, [ev('a', 100), ev('b', 200)]), job(2, 1000, [ev('a', 900)]), job(3, 2500, [ev('a', 1500)])];

/** A queue holding `jobs` but the first (in hand); `visible` are the ids its range read shows. */
function queue(list: BatchJob[], visible = list.map((j) => jobId(j.edge, j.from, j.to, j.seq))): WaitingJobs {
  const byId = new Map(list.map((j) => [jobId(j.edge, j.from, j.to, j.seq), j]));
  return { ids: async (limit) => visible.slice(0, limit), jobs: async (ids) => ids.map((id) => byId.get(id)) };
}

function host(pid: string, sent: OutgoingJob[][], more: Partial<ConstructorParameters<typeof TaskHost>[0]> = {}): TaskHost {
  return new TaskHost({
    pid,
    plan,
    stage: plan.stages[1]!,
    partition: 0,
    store,
    context: { baseDir: '/nonexistent', params: {}, now: () => 0 },
    enqueue: async (out) => {
      sent.push(out);
      return undefined;
    },
    ...more,
  });
}

/** A worker that claims the group of jobs 1-3 and dies before its commit: the claim stays pinned. */
async function diedAfterClaim(pid: string): Promise<void> {
  const dead = host(pid, [], {
    waiting: queue(jobs.slice(1)),
    enqueue: async () => {
      throw new Error('killed between its claim and its commit');
    },
  });
  await expect(dead.apply(jobs[0]!)).rejects.toThrow('killed');
  await dead.close();
}

/** What reached the sink stage, as (seq, rows) per job. */
function rows(sent: OutgoingJob[][]) {
  return sent.flat().map((o) => ({
    to: `${o.targetStage}/${o.targetPartition}`,
    seq: o.job.seq,
    rows: decodeEvents(o.job).map((e) => ({ category: e.category, n: e.n, v: e.v })),
  }));
}
const EXPECTED = [
  {
    to: '2/0',
    seq: 1,
    rows: [
      { category: 'a', n: 2, v: 'x' },
      { category: 'b', n: 1, v: 'x' },
    ],
  },
  { to: '2/0', seq: 2, rows: [{ category: 'a', n: 1, v: 'x' }] },
];

describe('job groups on a task', () => {
  it('one job a step: three claims and commits (after the start), the windows as computed by hand', async () => {
    const sent: OutgoingJob[][] = [];
    const h = host('one', sent, { group: { jobs: 1, events: 40_000 } });
    for (const j of jobs) expect(await h.apply(j)).toBe(true);
    expect(rows(sent)).toEqual(EXPECTED);
    expect(await store.version('one', 1, 0)).toBe(4); // the start, then one commit a job
    await h.close();
  });

  it('a group: one claim, one commit, one enqueue of the very jobs one at a time sends; its members then complete as duplicates', async () => {
    const sent: OutgoingJob[][] = [];
    const h = host('grouped', sent, { waiting: queue(jobs.slice(1)) });
    expect(await h.apply(jobs[0]!)).toBe(true);
    expect(sent.length).toBe(1);
    expect(rows(sent)).toEqual(EXPECTED);
    expect(await store.version('grouped', 1, 0)).toBe(2); // the start, then the group's one commit
    expect(await redis.hget(`${keys.taskVersion('grouped', 1, 0)}:intent`, 'job')).toBe(groupKey(jobs));
    expect(await h.apply(jobs[1]!)).toBe(false);
    expect(await h.apply(jobs[2]!)).toBe(false);
    expect((await store.load('grouped', 1, 0)).snapshot?.applied).toEqual({ 'e1#0': 3 });
    await h.close();
  });

  it('the group bound by events stops before the job that would pass it', async () => {
    const sent: OutgoingJob[][] = [];
    // Job 1 holds 2 events, job 2 one (3: within), job 3 one more (4: past the bound).
    const h = host('bound', sent, { waiting: queue(jobs.slice(1)), group: { jobs: 16, events: 3 } });
    expect(await h.apply(jobs[0]!)).toBe(true);
    expect(rows(sent)).toEqual(EXPECTED.slice(0, 1));
    expect(await redis.hget(`${keys.taskVersion('bound', 1, 0)}:intent`, 'job')).toBe(groupKey(jobs.slice(0, 2)));
    expect(await h.apply(jobs[1]!)).toBe(false);
    expect(await h.apply(jobs[2]!)).toBe(true);
    expect(rows(sent)).toEqual(EXPECTED);
    expect(await store.version('bound', 1, 0)).toBe(3);
    await h.close();
  });

  it('a group pinned by a worker that died before its commit is applied whole by the next one', async () => {
    await diedAfterClaim('adopt');
    // The next worker sees only job 2 waiting (job 3 is being retried, say) but can read job 3 by id.
    const sent: OutgoingJob[][] = [];
    const next = host('adopt', sent, { waiting: queue(jobs.slice(1), [jobId('e1', 0, 0, 2)]) });
    expect(await next.apply(jobs[0]!)).toBe(true);
    expect(rows(sent)).toEqual(EXPECTED);
    expect((await store.load('adopt', 1, 0)).snapshot?.applied).toEqual({ 'e1#0': 3 });
    await next.close();
  });

  it('a pinned group whose members cannot all be read is not applied in part: ClaimPending, retried later', async () => {
    await diedAfterClaim('missing');
    const sent: OutgoingJob[][] = [];
    const next = host('missing', sent, { waiting: queue(jobs.slice(1, 2)) });
    await expect(next.apply(jobs[0]!)).rejects.toBeInstanceOf(ClaimPending);
    expect(sent).toEqual([]);
    await next.close();
  });

  it('a stale worker that wakes after its group was taken over sends what the current one sent, and its commit is refused', async () => {
    let wake!: () => void;
    const woken = new Promise<void>((r) => (wake = r));
    let paused!: () => void;
    const pausedAt = new Promise<void>((r) => (paused = r));
    const staleSent: OutgoingJob[][] = [];
    const stale = host('stale', staleSent, {
      waiting: queue(jobs.slice(1)),
      enqueue: async (out) => {
        paused();
        await woken; // paused past its lock, between its claim and its enqueue
        staleSent.push(out);
        return undefined;
      },
    });
    const staleRun = stale.apply(jobs[0]!);
    await pausedAt;
    const sent: OutgoingJob[][] = [];
    const current = host('stale', sent, { waiting: queue(jobs.slice(1)) });
    expect(await current.apply(jobs[0]!)).toBe(true);
    wake();
    await expect(staleRun).rejects.toBeInstanceOf(StaleTask);
    expect(staleSent).toEqual(sent);
    expect(rows(sent)).toEqual(EXPECTED);
    expect(await store.version('stale', 1, 0)).toBe(2);
    await stale.close();
    await current.close();
  });
});

describe('waiting jobs read from a BullMQ queue', () => {
  it('lists ids next-first and reads jobs by id, changing nothing', async () => {
    const q = new Queue<BatchJob>(`{${prefix}.wait}`, { connection: redis, prefix });
    try {
      await q.addBulk(jobs.map((j) => ({ name: 'batch', data: j, opts: { jobId: jobId(j.edge, j.from, j.to, j.seq) } })));
      const waiting = waitingJobsOf(() => q);
      expect(await waiting.ids(2)).toEqual(['e1.0.0.1', 'e1.0.0.2']);
      expect(await waiting.jobs(['e1.0.0.3', 'nope'])).toEqual([jobs[2], undefined]);
      expect(await q.getWaitingCount()).toBe(3);
    } finally {
      await q.obliterate({ force: true });
      await q.close();
    }
  });
});
