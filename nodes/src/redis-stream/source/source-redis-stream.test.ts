/**
 * source.redis-stream against the real Redis on 127.0.0.1:6379 (REDIS_URL overrides). Every key
 * is under a random prefix and deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_TIME, type Event, SOURCE_WATERMARK } from '@sluice/shared';
import type { Redis } from 'ioredis';
import { connectTestRedis, releaseTestRedis, TEST_REDIS_URL } from '../redis-test-client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceOperator } from '../../sdk/operator.js';
import { testContext } from '../../sdk/testing/index.js';
import { sourceRedisStreamDefinition } from './definition.js';
import { sourceRedisStreamOperator } from './operator.js';
import { TEST_KEY_ROOT } from '../../sdk/testing/test-key-root.js';

const REDIS = TEST_REDIS_URL;
const PREFIX = `${TEST_KEY_ROOT}:source-rs:${randomUUID()}`;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  redis = await connectTestRedis();
});

afterAll(() => releaseTestRedis(redis, PREFIX));

const freshKey = () => `${PREFIX}:${++n}`;

async function add(key: string, ...records: unknown[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of records) ids.push((await redis.xadd(key, '*', 'data', JSON.stringify(r)))!);
  return ids;
}

const open: SourceOperator[] = [];
afterAll(async () => {
  for (const s of open) await s.close?.();
});

async function source(config: Record<string, unknown>, secrets?: Record<string, string>): Promise<SourceOperator> {
  const parsed = sourceRedisStreamDefinition.config.parse({ url: REDIS, blockMs: 10, ...config });
  const s = await sourceRedisStreamOperator(
    testContext({ nodeId: 'orders', config: parsed, now: () => 1_000, ...(secrets ? { secrets } : {}) }),
  );
  open.push(s);
  return s;
}

/** The events' fields only (what a sink would write). */
const plain = (events: readonly Event[]) => events.map((e) => Object.fromEntries(Object.entries(e)));

describe('source.redis-stream', () => {
  it('from earliest reads every entry in order, then waits (not done) and picks up new ones', async () => {
    const key = freshKey();
    const ids = await add(key, { order: 1, sku: 'A' }, { order: 2, sku: 'B' });
    const s = await source({ stream: key, start: 'earliest' });
    const first = await s.poll(100);
    expect(plain(first.events)).toEqual([
      { order: 1, sku: 'A' },
      { order: 2, sku: 'B' },
    ]);
    expect(first.done).toBe(false);
    expect(first.events[0]![EVENT_TIME]).toBe(1_000); // no timeField: the read time
    expect(s.position!()).toBe(ids[1]);
    const idle = await s.poll(100);
    expect(idle).toMatchObject({ events: [], done: false, watermark: 1_000 });
    await add(key, { order: 3, sku: 'C' });
    expect(plain((await s.poll(100)).events)).toEqual([{ order: 3, sku: 'C' }]);
  });

  it('from latest (the default) skips what the stream held at the start, even before the first poll', async () => {
    const key = freshKey();
    await add(key, { order: 1 }, { order: 2 });
    const s = await source({ stream: key });
    await add(key, { order: 3 }); // after the start, before the first read
    expect(plain((await s.poll(100)).events)).toEqual([{ order: 3 }]);
  });

  it('from latest on a stream that does not exist yet reads everything written later', async () => {
    const key = freshKey();
    const s = await source({ stream: key });
    expect((await s.poll(10)).events).toEqual([]);
    await add(key, { order: 1 });
    expect(plain((await s.poll(10)).events)).toEqual([{ order: 1 }]);
  });

  it('reads at most max entries per poll, and a source sought to a position resumes right after it', async () => {
    const key = freshKey();
    const ids = await add(key, { i: 1 }, { i: 2 }, { i: 3 }, { i: 4 });
    const s = await source({ stream: key, start: 'earliest' });
    expect(plain((await s.poll(2)).events)).toEqual([{ i: 1 }, { i: 2 }]);
    const checkpoint = s.position!();
    expect(checkpoint).toBe(ids[1]);
    // A restarted coordinator: a new operator (start is ignored once sought), then the checkpoint.
    const resumed = await source({ stream: key, start: 'latest' });
    await resumed.seek!(checkpoint);
    expect(plain((await resumed.poll(100)).events)).toEqual([{ i: 3 }, { i: 4 }]);
    expect(resumed.position!()).toBe(ids[3]);
    expect(() => resumed.seek!({ offset: 3 })).toThrow(
      `cannot resume stream "${key}" at ${REDIS} from {"offset":3}: not a stream entry id`,
    );
  });

  it('with stopAtEnd ends once a read finds nothing more (and at once on a missing stream)', async () => {
    const key = freshKey();
    await add(key, { i: 1 }, { i: 2 }, { i: 3 });
    const s = await source({ stream: key, start: 'earliest', stopAtEnd: true });
    expect(
      sourceRedisStreamDefinition.bounded!(sourceRedisStreamDefinition.config.parse({ url: REDIS, stream: key, stopAtEnd: true })),
    ).toBe(true);
    expect(await s.poll(2)).toMatchObject({ done: false });
    const second = await s.poll(2);
    expect(plain(second.events)).toEqual([{ i: 3 }]);
    expect(second.done).toBe(false);
    expect(await s.poll(2)).toMatchObject({ events: [], done: true });
    const missing = await source({ stream: freshKey(), start: 'earliest', stopAtEnd: true });
    expect(await missing.poll(10)).toMatchObject({ events: [], done: true });
  });

  it('sends bad entries to the error port with their entry id, and keeps reading', async () => {
    const key = freshKey();
    const [ok1] = await add(key, { ts: 5_000, v: 1 });
    const noField = (await redis.xadd(key, '*', 'other', 'x'))!;
    const notJson = (await redis.xadd(key, '*', 'data', '{oops'))!;
    const array = (await redis.xadd(key, '*', 'data', '[1,2]'))!;
    const [noTime] = await add(key, { v: 2 });
    const [badTime] = await add(key, { ts: 'soon', v: 3 });
    const [ok2] = await add(key, { ts: 7_000, v: 4 });
    const s = await source({ stream: key, start: 'earliest', timeField: 'ts', maxOutOfOrderness: '1s', idField: '_id' });
    const b = await s.poll(100);
    expect(plain(b.events)).toEqual([
      { ts: 5_000, v: 1, _id: ok1 },
      { ts: 7_000, v: 4, _id: ok2 },
    ]);
    expect(b.events.map((e) => e[EVENT_TIME])).toEqual([5_000, 7_000]);
    expect(b.watermark).toBe(6_000);
    expect(b.errors).toEqual([
      { event: { _id: noField, _fields: { other: 'x' } }, error: `entry ${noField}: no field "data"` },
      { event: { _id: notJson, _raw: '{oops' }, error: expect.stringMatching(new RegExp(`^entry ${notJson}: field "data" is not JSON`)) },
      { event: { _id: array, _raw: '[1,2]' }, error: `entry ${array}: field "data" is not a JSON object` },
      { event: { v: 2, _id: noTime }, error: `entry ${noTime}: timeField "ts" is missing` },
      { event: { ts: 'soon', v: 3, _id: badTime }, error: `entry ${badTime}: timeField "ts" is not a time (epoch ms or ISO-8601): "soon"` },
    ]);
    expect(s.position!()).toBe(ok2); // bad entries are read past, never re-read
  });

  it('stamps events behind the watermark with it', async () => {
    const key = freshKey();
    await add(key, { ts: 10_000 }, { ts: 2_000 });
    const s = await source({ stream: key, start: 'earliest', timeField: 'ts', maxOutOfOrderness: '5s' });
    const b = await s.poll(10);
    expect(b.events[1]![SOURCE_WATERMARK]).toBe(5_000);
    expect(b.watermark).toBe(5_000);
  });

  it('with format fields makes the event from every entry field, as strings, and reads another field with field', async () => {
    const key = freshKey();
    await redis.xadd(key, '*', 'sensor', 's-1', 'temp', '21.5', '__proto__', 'kept');
    const s = await source({ stream: key, start: 'earliest', format: 'fields' });
    const [e] = (await s.poll(10)).events;
    expect(Object.entries(e!)).toEqual([
      ['sensor', 's-1'],
      ['temp', '21.5'],
      ['__proto__', 'kept'],
    ]);
    const other = freshKey();
    await redis.xadd(other, '*', 'payload', '{"a":1}');
    const t = await source({ stream: other, start: 'earliest', field: 'payload' });
    expect(plain((await t.poll(10)).events)).toEqual([{ a: 1 }]);
  });

  it('fails to start, naming what is wrong: a missing secret, an unreachable Redis, a key that is not a stream', async () => {
    await expect(source({ stream: freshKey(), passwordSecret: 'ORDERS_REDIS_PASSWORD' })).rejects.toThrow(
      'secret ORDERS_REDIS_PASSWORD is not set',
    );
    await expect(source({ url: 'redis://127.0.0.1:1', stream: 'orders' })).rejects.toThrow(
      /^cannot connect to stream "orders" at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    const key = freshKey();
    await redis.set(key, 'plain string');
    await expect(source({ stream: key })).rejects.toThrow(`stream "${key}" at ${REDIS}: the key holds a string, not a stream`);
  });

  it('fails a read naming the node and the stream when Redis refuses it', async () => {
    const key = freshKey();
    const s = await source({ stream: key });
    await redis.set(key, 'no longer a stream');
    await expect(s.poll(10)).rejects.toThrow(new RegExp(`^orders: cannot read stream "${key}" at ${REDIS}: WRONGTYPE`));
  });

  it('starts with a password from its secret (a Redis without one accepts it)', async () => {
    const key = freshKey();
    await add(key, { i: 1 });
    const s = await source({ stream: key, start: 'earliest', passwordSecret: 'ORDERS_REDIS_PASSWORD' }, { ORDERS_REDIS_PASSWORD: 'pw' });
    expect(plain((await s.poll(10)).events)).toEqual([{ i: 1 }]);
  });

  it('validates its config: inline passwords refused, the REDIS readable, the example valid', () => {
    const check = (c: Record<string, unknown>) =>
      sourceRedisStreamDefinition.check!(sourceRedisStreamDefinition.config.parse({ stream: 's', ...c }));
    expect(check({ url: 'redis://app:hunter2@cache:6379/0' })).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password', message: expect.stringContaining('passwordSecret') }),
    ]);
    expect(check({ url: 'redis://:hunter2@cache:6379' })).toMatchObject([{ code: 'inline-password' }]);
    expect(check({ url: 'redis://app@cache:6379/2' })).toEqual([]);
    expect(check({ url: 'redis://cache:6379/orders' })).toEqual([
      { path: 'config.url', message: 'the path is the database number (e.g. /0), not "/orders"' },
    ]);
    expect(sourceRedisStreamDefinition.config.safeParse({ url: 'http://cache', stream: 's' }).success).toBe(false);
    expect(sourceRedisStreamDefinition.config.safeParse({ url: REDIS, stream: 's', passwordSecret: 'lower' }).success).toBe(false);
    const example = sourceRedisStreamDefinition.config.parse(sourceRedisStreamDefinition.example);
    expect(sourceRedisStreamDefinition.check!(example)).toEqual([]);
    expect(sourceRedisStreamDefinition.config.parse({ url: REDIS, stream: 's' })).toEqual({
      url: REDIS,
      stream: 's',
      start: 'latest',
      format: 'json',
      field: 'data',
      maxOutOfOrderness: '0s',
      blockMs: 100,
      stopAtEnd: false,
    });
  });
});
