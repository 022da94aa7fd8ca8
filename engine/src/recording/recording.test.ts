import { EVENT_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { recordEvent } from './recorded-event.js';
import { MemoryRecordingStore, Ring } from './recording-store.js';
import { RedisRecordingStore } from './redis-recording-store.js';
import { replaySource } from './replay-source.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `${TEST_KEY_ROOT}-rec-${process.pid}`;

afterAll(() => deletePrefixKeys(REDIS, PREFIX));

describe('Ring', () => {
  it('keeps the newest items, oldest first, across wrap-around and oversize batches', () => {
    const r = new Ring<number>(3);
    r.push([1, 2]);
    expect(r.toArray()).toEqual([1, 2]);
    r.push([3, 4]);
    expect(r.toArray()).toEqual([2, 3, 4]);
    r.push([5, 6, 7, 8, 9]);
    expect(r.toArray()).toEqual([7, 8, 9]);
    expect(r.toArray(2)).toEqual([8, 9]);
    expect(r.size).toBe(3);
  });
});

describe('recorded events', () => {
  it('keep event time and the late stamp, and replay them', () => {
    const e = { a: 1, [EVENT_TIME]: 500, [SOURCE_WATERMARK]: 900 };
    expect(recordEvent(e)).toEqual({ e, t: 500, w: 900 });
    // A copy: the pipeline may change an owned source event in place after it was recorded.
    expect(recordEvent(e).e).not.toBe(e);
    const batch = replaySource([recordEvent(e)], () => 42).poll(10);
    const out = batch.events[0]!;
    expect([out.a, out[EVENT_TIME], out[SOURCE_WATERMARK]]).toEqual([1, 500, 900]);
    expect(batch.done).toBe(true);
  });

  it('replay trails the watermark by the largest out-of-orderness of on-time events', () => {
    // Times 1000, 1400, 1100 (300 behind, on time live), 2000, 1200 (late live: stamped).
    const rec = [
      { e: {}, t: 1000 },
      { e: {}, t: 1400 },
      { e: {}, t: 1100 },
      { e: {}, t: 2000 },
      { e: {}, t: 1200, w: 1700 },
    ];
    const src = replaySource(rec);
    expect(src.poll(2).watermark).toBe(1400 - 300);
    expect(src.poll(2).watermark).toBe(2000 - 300);
    const last = src.poll(2);
    expect(last.done).toBe(true);
    expect(last.watermark).toBe(Number.POSITIVE_INFINITY);
  });
});

describe.each([
  ['memory', () => new MemoryRecordingStore(4)],
  ['redis', () => new RedisRecordingStore({ redisUrl: REDIS, prefix: PREFIX, capacity: 4, flushMs: 10 })],
])('%s recording store', (_name, make) => {
  it('keeps the last `capacity` events per source, reads a limit, counts, clears', async () => {
    const s = make();
    try {
      s.append(
        'p1',
        'orders',
        [1, 2, 3].map((i) => ({ e: { i }, t: i })),
      );
      s.append(
        'p1',
        'orders',
        [4, 5].map((i) => ({ e: { i }, t: i })),
      );
      s.append('p1', 'clicks', [{ e: { c: 1 } }]);
      s.append('p2', 'orders', [{ e: { other: true } }]);
      const all = await s.read('p1');
      expect(all.orders!.map((r) => r.e.i)).toEqual([2, 3, 4, 5]);
      expect(all.clicks).toEqual([{ e: { c: 1 } }]);
      expect((await s.read('p1', 2)).orders!.map((r) => r.t)).toEqual([4, 5]);
      expect(await s.stats('p1')).toEqual({ events: 5, sources: { orders: 4, clicks: 1 }, capacity: 4 });
      await s.clear('p1');
      expect(await s.stats('p1')).toEqual({ events: 0, sources: {}, capacity: 4 });
      expect((await s.stats('p2')).events).toBe(1);
      await s.clear('p2');
    } finally {
      await s.close();
    }
  });
});

describe('per-pipeline limits (docs/privacy.md)', () => {
  it('memory: maxEvents per source, and events older than the TTL deleted by the sweep', async () => {
    let now = 1_000_000;
    const s = new MemoryRecordingStore(10, { now: () => now, sweepMs: 60_000 });
    try {
      s.append(
        'small',
        'src',
        [1, 2, 3, 4, 5].map((i) => ({ e: { i } })),
        { maxEvents: 3 },
      );
      expect((await s.read('small')).src!.map((r) => r.e.i)).toEqual([3, 4, 5]);
      s.append('ttl', 'src', [{ e: { i: 1 }, a: now }], { ttlMs: 1000 });
      now += 600;
      s.append('ttl', 'src', [{ e: { i: 2 }, a: now }], { ttlMs: 1000 });
      now += 600; // the first is 1200 ms old, the second 600
      s.sweep();
      expect((await s.read('ttl')).src!.map((r) => r.e.i)).toEqual([2]);
      now += 1000;
      s.sweep();
      expect(await s.stats('ttl')).toEqual({ events: 0, sources: {}, capacity: 10 });
    } finally {
      await s.close();
    }
  });

  it('redis: maxEvents caps the list; a TTL pops expired events and the keys expire; clear deletes the lists', async () => {
    const prefix = `${PREFIX}-limits`;
    const s = new RedisRecordingStore({ redisUrl: REDIS, prefix, capacity: 100, flushMs: 10 });
    const redis = new Redis(REDIS);
    try {
      s.append(
        'small',
        'src',
        [1, 2, 3, 4, 5].map((i) => ({ e: { i } })),
        { maxEvents: 2 },
      );
      await s.flush();
      expect(await redis.llen(`${prefix}:rec:{small}:src`)).toBe(2);
      expect((await s.read('small')).src!.map((r) => r.e.i)).toEqual([4, 5]);

      // An event recorded long ago is popped at the next flush; a fresh one stays until its TTL.
      const t = Date.now();
      s.append(
        'ttl',
        'src',
        [
          { e: { old: true }, a: t - 60_000 },
          { e: { fresh: true }, a: t },
        ],
        { ttlMs: 1500 },
      );
      await s.flush();
      expect((await s.read('ttl')).src).toEqual([{ e: { fresh: true }, a: t }]);
      expect(await redis.llen(`${prefix}:rec:{ttl}:src`)).toBe(1);
      expect(await redis.pttl(`${prefix}:rec:{ttl}:src`)).toBeGreaterThan(0);
      // Nothing more is recorded: Redis itself deletes the list and the source set.
      await waitUntil(async () => (await redis.exists(`${prefix}:rec:{ttl}:src`, `${prefix}:rec:{ttl}`)) === 0);
      expect(await s.stats('ttl')).toEqual({ events: 0, sources: {}, capacity: 100 });

      // Kept before the pipeline had a TTL (no record time): its age is unknown, so it goes.
      s.append('later', 'src', [{ e: { legacy: true } }]);
      await s.flush();
      s.append('later', 'src', [{ e: { fresh: true }, a: Date.now() }], { ttlMs: 60_000 });
      await s.flush();
      expect((await s.read('later')).src!.map((r) => r.e)).toEqual([{ fresh: true }]);
      expect(await redis.llen(`${prefix}:rec:{later}:src`)).toBe(1);
      await s.clear('later');

      // Deleting: what is in Redis and what waits to be flushed, both.
      s.append('gone', 'src', [{ e: { i: 1 } }]);
      await s.flush();
      s.append('gone', 'src', [{ e: { i: 2 } }]);
      await s.clear('gone');
      await s.flush();
      expect(await redis.exists(`${prefix}:rec:{gone}:src`, `${prefix}:rec:{gone}`)).toBe(0);
      await s.clear('small');
      expect(await redis.exists(`${prefix}:rec:{small}:src`)).toBe(0);
    } finally {
      await s.close();
      await deletePrefixKeys(REDIS, prefix);
      redis.disconnect();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
