/**
 * sink.redis-stream against the real Redis on 127.0.0.1:6379 (REDIS_URL overrides). Every key
 * is under a random prefix and deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_TIME, type Event } from '@sluice/shared';
import type { Redis } from 'ioredis';
import { connectTestRedis, releaseTestRedis, TEST_REDIS_URL } from '../redis-test-client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkOperator } from '../../sdk/operator.js';
import { recordingCollector, testContext } from '../../sdk/testing/index.js';
import { sinkRedisStreamDefinition } from './definition.js';
import { sinkRedisStreamOperator } from './operator.js';
import { TEST_KEY_ROOT } from '../../sdk/testing/test-key-root.js';

const REDIS = TEST_REDIS_URL;
const PREFIX = `${TEST_KEY_ROOT}:sink-rs:${randomUUID()}`;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  redis = await connectTestRedis();
});

const opened: SinkOperator[] = [];
afterAll(async () => {
  for (const s of opened) await s.close?.();
  await releaseTestRedis(redis, PREFIX);
});

const freshKey = () => `${PREFIX}:${++n}`;
const col = recordingCollector('alerts', () => true);

async function sink(config: Record<string, unknown>, secrets?: Record<string, string>): Promise<SinkOperator> {
  const parsed = sinkRedisStreamDefinition.config.parse({ url: REDIS, ...config });
  const s = (await sinkRedisStreamOperator(
    testContext({ nodeId: 'alerts', config: parsed, ...(secrets ? { secrets } : {}) }),
  )) as SinkOperator;
  opened.push(s);
  return s;
}

/** Every entry of the stream, as [field, value, ...]. */
async function entries(key: string): Promise<string[][]> {
  return (await redis.xrange(key, '-', '+')).map(([, fields]) => fields);
}

describe('sink.redis-stream', () => {
  it('adds one entry per event, in order, holding the event (fields only) as JSON in `data`', async () => {
    const key = freshKey();
    const s = await sink({ stream: key });
    s.process([Object.freeze({ sku: 'A', qty: 2, [EVENT_TIME]: 5 }) as Event, { nested: { x: [1, null] } }], col, 'in');
    s.process([{ é: '漢字' }], col, 'in');
    await s.flush!();
    expect(await entries(key)).toEqual([
      ['data', '{"sku":"A","qty":2}'],
      ['data', '{"nested":{"x":[1,null]}}'],
      ['data', '{"é":"漢字"}'],
    ]);
    await s.flush!(); // nothing buffered: nothing written
    expect(await redis.xlen(key)).toBe(3);
  });

  it('writes into another field with field, and many events in order', async () => {
    const key = freshKey();
    const s = await sink({ stream: key, field: 'payload' });
    for (let b = 0; b < 12; b++)
      s.process(
        Array.from({ length: 1000 }, (_, i) => ({ i: b * 1000 + i })),
        col,
        'in',
      );
    await s.flush!();
    const all = await entries(key);
    expect(all).toHaveLength(12_000);
    expect(all.every((f, i) => f[0] === 'payload' && JSON.parse(f[1]!).i === i)).toBe(true);
  });

  it('writes by itself after a batch, without waiting for flush (a live pipeline sees entries as they come)', async () => {
    const key = freshKey();
    const s = await sink({ stream: key });
    s.process([{ alert: 1 }], col, 'in');
    const deadline = Date.now() + 2_000;
    while ((await redis.xlen(key)) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await entries(key)).toEqual([['data', '{"alert":1}']]);
  });

  it('keeps the stream to about maxLen entries (MAXLEN ~), always keeping the newest', async () => {
    const key = freshKey();
    const s = await sink({ stream: key, maxLen: 100 });
    s.process(
      Array.from({ length: 1000 }, (_, i) => ({ i })),
      col,
      'in',
    );
    await s.flush!();
    const len = await redis.xlen(key);
    // Approximate trimming drops whole blocks (100 entries by default): never below maxLen.
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(300);
    const [last] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
    expect(JSON.parse(last![1][1]!)).toEqual({ i: 999 });
  });

  it('fails the write naming the stream when Redis refuses it, and keeps failing', async () => {
    const key = freshKey();
    const s = await sink({ stream: key });
    await redis.set(key, 'not a stream'); // after the start check
    s.process([{ a: 1 }], col, 'in');
    await expect(s.flush!()).rejects.toThrow(new RegExp(`^alerts: cannot write stream "${key}" at ${REDIS}: WRONGTYPE`));
    // From process, the runtime adds the node id itself.
    expect(() => s.process([{ a: 2 }], col, 'in')).toThrow(new RegExp(`^cannot write stream "${key}"`));
  });

  it('fails to start, naming what is wrong: a missing secret, an unreachable Redis, a key that is not a stream', async () => {
    await expect(sink({ stream: 'alerts', passwordSecret: 'ALERTS_REDIS_PASSWORD' })).rejects.toThrow(
      'secret ALERTS_REDIS_PASSWORD is not set',
    );
    await expect(sink({ url: 'redis://127.0.0.1:1/0', stream: 'alerts' })).rejects.toThrow(
      /^cannot connect to stream "alerts" at redis:\/\/127\.0\.0\.1:1\/0: .*ECONNREFUSED/,
    );
    const key = freshKey();
    await redis.hset(key, 'a', '1');
    await expect(sink({ stream: key })).rejects.toThrow(`stream "${key}" at ${REDIS}: the key holds a hash, not a stream`);
  });

  it('validates its config: inline passwords refused, maxLen positive, the example valid', () => {
    const check = (c: Record<string, unknown>) =>
      sinkRedisStreamDefinition.check!(sinkRedisStreamDefinition.config.parse({ stream: 's', ...c }));
    expect(check({ url: 'redis://default:hunter2@cache:6379/0' })).toMatchObject([{ path: 'config.url', code: 'inline-password' }]);
    expect(check({ url: 'rediss://cache:6380/1' })).toEqual([]);
    expect(sinkRedisStreamDefinition.config.safeParse({ url: REDIS, stream: 's', maxLen: 0 }).success).toBe(false);
    expect(sinkRedisStreamDefinition.config.parse({ url: REDIS, stream: 's' })).toEqual({ url: REDIS, stream: 's', field: 'data' });
    const example = sinkRedisStreamDefinition.config.parse(sinkRedisStreamDefinition.example);
    expect(sinkRedisStreamDefinition.check!(example)).toEqual([]);
    expect(sinkRedisStreamDefinition.outputs(example)).toEqual([]);
  });
});
