/** Incremental keyed state against the real Redis: commits write what changed, loads see it all. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from './keys.js';
import { type TaskChanges, type TaskSnapshot, TaskStateStore } from './task-state-store.js';
import { deletePrefixKeys } from './test-keys.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-state-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
// Commits and loads need the run's marker (run-marker.ts).
beforeAll(async () => {
  for (const pid of ['p', 'q', 'big', 'r', 'f']) await redis.set(keys.runMarker(pid), 'test');
});
afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  await redis.quit();
});

function head(wm: number): TaskSnapshot {
  return {
    applied: { 'e1#0': wm },
    channels: { 'e1#0': wm },
    watermark: wm,
    exchange: { seq: {}, sentWm: {} },
    operators: { win: { windows: { kind: 'keyed', entries: [] }, watermark: { kind: 'value', value: wm } } },
    counters: { nodes: {}, edges: {}, watermark: wm, done: false },
  };
}

/** A commit as a worker makes it: claimed at the version first. */
async function claimAndCommit(
  store: TaskStateStore,
  pid: string,
  stage: number,
  partition: number,
  expected: number,
  h: TaskSnapshot,
  changes: TaskChanges,
): Promise<number> {
  const claim = await store.claim(pid, stage, partition, expected, `job-${h.watermark}`);
  return 'token' in claim ? store.commit(pid, stage, partition, expected, h, changes, claim.token) : -1;
}

describe('task state store', () => {
  it('commits keyed changes incrementally and loads the whole state back, keys in order', async () => {
    const store = new TaskStateStore(redis, keys);
    expect(
      await claimAndCommit(store, 'p', 1, 0, 0, head(1), {
        win: {
          windows: {
            set: [
              ['b', { n: 1 }],
              ['a', { n: 2 }],
            ],
            deleted: [],
          },
        },
      }),
    ).toBe(1);
    expect(await claimAndCommit(store, 'p', 1, 0, 1, head(2), { win: { windows: { set: [['c', { n: 3 }]], deleted: ['b'] } } })).toBe(2);
    const { version, snapshot } = await store.load('p', 1, 0);
    expect(version).toBe(2);
    expect(snapshot!.watermark).toBe(2);
    expect(snapshot!.operators.win).toEqual({
      windows: {
        kind: 'keyed',
        entries: [
          ['a', { n: 2 }],
          ['c', { n: 3 }],
        ],
      },
      watermark: { kind: 'value', value: 2 },
    });
    // Only the keys: two fields in the hash, whatever the head says.
    expect(await redis.hlen(keys.taskKeyed('p', 1, 0))).toBe(2);
  });

  it('refuses a commit on a stale version and changes nothing', async () => {
    const store = new TaskStateStore(redis, keys);
    expect(await claimAndCommit(store, 'q', 1, 0, 0, head(1), { win: { windows: { set: [['a', 1]], deleted: [] } } })).toBe(1);
    expect(await claimAndCommit(store, 'q', 1, 0, 0, head(9), { win: { windows: { set: [['z', 1]], deleted: ['a'] } } })).toBe(-1);
    const { version, snapshot } = await store.load('q', 1, 0);
    expect(version).toBe(1);
    expect(snapshot!.operators.win!.windows).toEqual({ kind: 'keyed', entries: [['a', 1]] });
  });

  it('takes tens of thousands of changed keys in one commit (the script works in chunks)', async () => {
    const store = new TaskStateStore(redis, keys);
    const set: [string, unknown][] = Array.from({ length: 25_000 }, (_, i) => [`k${String(i).padStart(5, '0')}`, i]);
    expect(await claimAndCommit(store, 'big', 1, 0, 0, head(1), { win: { windows: { set, deleted: [] } } })).toBe(1);
    const deleted = set.slice(0, 12_000).map(([k]) => k);
    expect(await claimAndCommit(store, 'big', 1, 0, 1, head(2), { win: { windows: { set: [], deleted } } })).toBe(2);
    const { snapshot } = await store.load('big', 1, 0);
    const entries = (snapshot!.operators.win!.windows as { entries: [string, unknown][] }).entries;
    expect(entries.length).toBe(13_000);
    expect(entries[0]).toEqual(['k12000', 12_000]);
  });

  it('replace writes a whole snapshot (hot redeploy) over incremental state, and removes it', async () => {
    const store = new TaskStateStore(redis, keys);
    await claimAndCommit(store, 'r', 1, 0, 0, head(1), { win: { windows: { set: [['old', 1]], deleted: [] } } });
    const full = head(5);
    full.operators.win!.windows = {
      kind: 'keyed',
      entries: [
        ['x', { n: 1 }],
        ['y', { n: 2 }],
      ],
    };
    await store.replace('r', 1, 0, full);
    const { version, snapshot } = await store.load('r', 1, 0);
    expect(version).toBe(2);
    expect(snapshot!.operators.win!.windows).toEqual({
      kind: 'keyed',
      entries: [
        ['x', { n: 1 }],
        ['y', { n: 2 }],
      ],
    });
    await store.replace('r', 1, 0, undefined);
    expect(await store.load('r', 1, 0)).toEqual({ version: 0 });
    expect(await redis.exists(keys.taskKeyed('r', 1, 0))).toBe(0);
  });

  it('fences: a claim pins the job a version applies, and only the latest claim commits', async () => {
    const store = new TaskStateStore(redis, keys);
    const a = await store.claim('f', 1, 0, 0, 'e1#0#1');
    // Another worker, after A's lock expired: the same job may be re-claimed, another may not.
    expect(await store.claim('f', 1, 0, 0, 'e1#1#1')).toEqual({ pending: true, pinned: 'e1#0#1' });
    const b = await store.claim('f', 1, 0, 0, 'e1#0#1');
    if (!('token' in a) || !('token' in b)) throw new Error('claims refused');
    // A wakes up: its claim was superseded, so its commit changes nothing.
    expect(await store.commit('f', 1, 0, 0, head(1), {}, a.token)).toBe(-1);
    expect(await store.commit('f', 1, 0, 0, head(1), {}, b.token)).toBe(1);
    // A stale worker is told to reload before it touches anything.
    expect(await store.claim('f', 1, 0, 0, 'e1#0#2')).toEqual({ stale: true });
    expect('token' in (await store.claim('f', 1, 0, 1, 'e1#1#1'))).toBe(true);
  });
});
