/**
 * The run marker against the real Redis: with it gone (Redis lost the run, or it was undeployed),
 * nothing that carries a run on writes: task commits and loads, source checkpoints, enqueues.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { OutgoingJob } from './exchange-buffer.js';
import { RedisKeys } from './keys.js';
import { confirmedBy, QueueSet } from './queue-set.js';
import { RunMarker, RunStateLost } from './run-marker.js';
import { SourceCheckpoints } from './source-checkpoints.js';
import { type TaskSnapshot, TaskStateStore } from './task-state-store.js';
import { deletePrefixKeys } from './test-keys.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-marker-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  await redis.quit();
});

const head: TaskSnapshot = {
  applied: {},
  channels: {},
  watermark: 0,
  exchange: { seq: {}, sentWm: {} },
  operators: {},
  counters: { nodes: {}, edges: {}, watermark: 0, done: false },
};

async function keysUnder(): Promise<string[]> {
  return (await redis.keys(`${prefix}:*`)).sort();
}

describe('run marker', () => {
  it('check() passes while the marker exists and throws RunStateLost naming the key once it is gone', async () => {
    const marker = new RunMarker(redis, keys, 'p');
    await marker.write('gen-1');
    await marker.check();
    await redis.del(keys.runMarker('p'));
    await expect(marker.check()).rejects.toThrow(`Redis lost this run's state (marker ${keys.runMarker('p')} missing)`);
  });

  it('a task claim, commit or load without the marker throws and writes nothing (a worker never restarts a task from empty)', async () => {
    const store = new TaskStateStore(redis, keys);
    await expect(store.claim('t', 1, 0, 0, 'e1#0#1')).rejects.toBeInstanceOf(RunStateLost);
    await expect(store.commit('t', 1, 0, 0, head, {}, 1)).rejects.toBeInstanceOf(RunStateLost);
    await expect(store.load('t', 1, 0)).rejects.toBeInstanceOf(RunStateLost);
    expect(await keysUnder()).toEqual([]);
    await redis.set(keys.runMarker('t'), 'gen');
    const claim = await store.claim('t', 1, 0, 0, 'e1#0#1');
    if (!('token' in claim)) throw new Error(`expected a claim, got ${JSON.stringify(claim)}`);
    expect(await store.commit('t', 1, 0, 0, head, {}, claim.token)).toBe(1);
    expect((await store.load('t', 1, 0)).version).toBe(1);
  });

  it('a source checkpoint without the marker throws and writes nothing', async () => {
    const cps = new SourceCheckpoints(redis, keys, 'c');
    const cp = { position: 1, exchange: { seq: {}, sentWm: {} }, watermark: 0, done: false, counters: {} };
    await expect(cps.write('src', 0, cp, '')).rejects.toBeInstanceOf(RunStateLost);
    await expect(cps.markPending('src', 0, undefined, { from: 0, records: 10 }, '')).rejects.toBeInstanceOf(RunStateLost);
    expect(await redis.exists(keys.sourceCheckpoint('c', 'src'))).toBe(0);
    await redis.set(keys.runMarker('c'), 'gen');
    await cps.write('src', 0, cp, '');
    expect((await cps.read('src'))?.position).toBe(1);
  });

  it('an enqueue without the marker throws and creates no queue keys', async () => {
    const queues = new QueueSet(REDIS_URL, keys, 'q');
    try {
      const jobs: OutgoingJob[] = [{ targetStage: 1, targetPartition: 0, job: { edge: 'e1', from: 0, to: 0, seq: 1, n: 0, wm: 0 } }];
      await expect(queues.add(jobs)).rejects.toBeInstanceOf(RunStateLost);
      expect((await keysUnder()).filter((k) => k.includes(':q.s1'))).toEqual([]);
    } finally {
      await queues.close();
    }
  });

  it('an enqueue overtaken by an undeploy (the marker seen fresh by a script just before) throws and removes the queue keys it wrote', async () => {
    const queues = new QueueSet(REDIS_URL, keys, 'u');
    try {
      // A claim script saw the marker a moment ago, so the enqueue skips its own check; the
      // undeploy came in between: the jobs land after the marker went.
      const seen = Date.now();
      const jobs: OutgoingJob[] = [{ targetStage: 1, targetPartition: 0, job: { edge: 'e1', from: 0, to: 0, seq: 1, n: 0, wm: 0 } }];
      await expect(queues.add(jobs, seen)).rejects.toBeInstanceOf(RunStateLost);
      expect((await keysUnder()).filter((k) => k.includes('u.s1'))).toEqual([]);
    } finally {
      await queues.close();
    }
  });

  it('jobs left for the next fenced write to confirm: a commit that finds the marker gone removes the queue keys they wrote', async () => {
    const queues = new QueueSet(REDIS_URL, keys, 'v');
    const store = new TaskStateStore(redis, keys);
    try {
      await redis.set(keys.runMarker('v'), 'gen');
      const claim = await store.claim('v', 1, 0, 0, 'e1#0#1');
      if (!('token' in claim)) throw new Error(`expected a claim, got ${JSON.stringify(claim)}`);
      const jobs: OutgoingJob[] = [{ targetStage: 2, targetPartition: 0, job: { edge: 'e2', from: 0, to: 0, seq: 1, n: 0, wm: 0 } }];
      const landed = await queues.addUnconfirmed(jobs, Date.now());
      expect((await keysUnder()).filter((k) => k.includes('v.s2')).length).toBeGreaterThan(0);
      // The undeploy comes after the jobs landed and before the commit.
      await redis.del(keys.runMarker('v'));
      await expect(confirmedBy(landed, () => store.commit('v', 1, 0, 0, head, {}, claim.token))).rejects.toBeInstanceOf(RunStateLost);
      expect((await keysUnder()).filter((k) => k.includes('v.s2'))).toEqual([]);
    } finally {
      await queues.close();
    }
  });

  it('jobs left for the next fenced write to confirm: a step that fails before that write asks the marker, and gone, removes them', async () => {
    const queues = new QueueSet(REDIS_URL, keys, 'x');
    try {
      await redis.set(keys.runMarker('x'), 'gen');
      const jobs: OutgoingJob[] = [{ targetStage: 2, targetPartition: 0, job: { edge: 'e2', from: 0, to: 0, seq: 1, n: 0, wm: 0 } }];
      const landed = await queues.addUnconfirmed(jobs, Date.now());
      await redis.del(keys.runMarker('x'));
      const failing = async () => {
        throw new Error('a tally publish failed');
      };
      await expect(confirmedBy(landed, failing)).rejects.toBeInstanceOf(RunStateLost);
      expect((await keysUnder()).filter((k) => k.includes('x.s2'))).toEqual([]);
      // With the marker there, the step's own error comes through and the jobs stay.
      await redis.set(keys.runMarker('x'), 'gen');
      const kept = await queues.addUnconfirmed(jobs, Date.now());
      await expect(confirmedBy(kept, failing)).rejects.toThrow('a tally publish failed');
      expect((await keysUnder()).filter((k) => k.includes('x.s2')).length).toBeGreaterThan(0);
    } finally {
      await queues.close();
    }
  });
});
