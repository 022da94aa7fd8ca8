/**
 * "Check connection" of source.redis-stream and sink.redis-stream against the real Redis on
 * 127.0.0.1:6379 (REDIS_URL overrides). Every key is under a random prefix and deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { connectTestRedis, releaseTestRedis, TEST_REDIS_URL } from './redis-test-client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../sdk/testing/index.js';
import { sinkRedisStreamDefinition } from './sink/definition.js';
import { checkRedisStreamSink, checkRedisStreamSource } from './check.js';
import { sourceRedisStreamDefinition } from './source/definition.js';
import { TEST_KEY_ROOT } from '../sdk/testing/test-key-root.js';

const REDIS = TEST_REDIS_URL;
const PREFIX = `${TEST_KEY_ROOT}:check-rs:${randomUUID()}`;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  redis = await connectTestRedis();
});

afterAll(() => releaseTestRedis(redis, PREFIX));

const freshKey = () => `${PREFIX}:${++n}`;

function checkSource(config: Record<string, unknown>, secrets?: Record<string, string>, timeoutMs?: number): Promise<string> {
  const parsed = sourceRedisStreamDefinition.config.parse({ url: REDIS, ...config });
  return checkRedisStreamSource(testContext({ nodeId: 'orders', config: parsed, ...(secrets ? { secrets } : {}) }), timeoutMs);
}

function checkSink(config: Record<string, unknown>, secrets?: Record<string, string>): Promise<string> {
  const parsed = sinkRedisStreamDefinition.config.parse({ url: REDIS, ...config });
  return checkRedisStreamSink(testContext({ nodeId: 'alerts', config: parsed, ...(secrets ? { secrets } : {}) }));
}

describe('source.redis-stream and sink.redis-stream: check connection', () => {
  it('says how many entries the stream holds and when the last was added, reading none', async () => {
    const key = freshKey();
    const ids: string[] = [];
    for (let i = 1; i <= 1204; i++) ids.push(`${1_795_000_000_000 + i}-0`);
    const p = redis.pipeline();
    for (const id of ids) p.xadd(key, id, 'data', '{}');
    await p.exec();
    const last = new Date(1_795_000_001_204).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const expected = `connected to ${REDIS}; stream ${key} holds 1,204 entries, the last at ${last}`;
    await expect(checkSource({ stream: key })).resolves.toBe(expected);
    await expect(checkSink({ stream: key })).resolves.toBe(expected);
    // Nothing read is acknowledged or removed: a source has no consumer group, and the stream is as it was.
    expect(await redis.xlen(key)).toBe(1204);
    expect(await redis.xinfo('GROUPS', key)).toEqual([]);
  });

  it('says when a stream is empty', async () => {
    const key = freshKey();
    const id = await redis.xadd(key, '*', 'data', '{}');
    await redis.xdel(key, id!);
    await expect(checkSource({ stream: key })).resolves.toBe(`connected to ${REDIS}; stream ${key} is empty`);
  });

  it('a missing stream fails the source (it would wait for ever) and not the sink (its first write creates it); no key is created', async () => {
    const key = freshKey();
    await expect(checkSource({ stream: key })).rejects.toThrow(
      `stream "${key}" at ${REDIS} does not exist: the source would wait until a writer adds the first entry`,
    );
    await expect(checkSink({ stream: key })).resolves.toBe(
      `connected to ${REDIS}; stream ${key} does not exist yet: the first write creates it`,
    );
    expect(await redis.exists(key)).toBe(0);
  });

  it('fails as the start does when the key holds something else than a stream', async () => {
    const key = freshKey();
    await redis.hset(key, 'a', '1');
    await expect(checkSource({ stream: key })).rejects.toThrow(`stream "${key}" at ${REDIS}: the key holds a hash, not a stream`);
    await expect(checkSink({ stream: key })).rejects.toThrow(`stream "${key}" at ${REDIS}: the key holds a hash, not a stream`);
  });

  it('fails naming the URL when Redis cannot be reached or refuses the credentials, and naming a secret that is not set', async () => {
    await expect(checkSource({ url: 'redis://127.0.0.1:1/0', stream: 'orders' })).rejects.toThrow(
      /^cannot connect to stream "orders" at redis:\/\/127\.0\.0\.1:1\/0: .*ECONNREFUSED/,
    );
    await expect(checkSink({ url: 'redis://127.0.0.1:1/0', stream: 'alerts' })).rejects.toThrow(
      /^cannot connect to stream "alerts" at redis:\/\/127\.0\.0\.1:1\/0: .*ECONNREFUSED/,
    );
    const url = REDIS.replace('redis://', `redis://nobody-${randomUUID().slice(0, 8)}@`);
    await expect(
      checkSource({ url, stream: 'orders', passwordSecret: 'ORDERS_REDIS_PASSWORD' }, { ORDERS_REDIS_PASSWORD: 'wrong' }),
    ).rejects.toThrow(`cannot connect to stream "orders" at ${url}: WRONGPASS`);
    await expect(checkSink({ stream: 'alerts', passwordSecret: 'ALERTS_REDIS_PASSWORD' })).rejects.toThrow(
      'secret ALERTS_REDIS_PASSWORD is not set',
    );
  });

  it('gives up after its time with "no answer from <url>", and closes the connection it opened', async () => {
    const sockets = new Set<Socket>();
    let accepted = 0;
    const server = createServer((s) => {
      accepted++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
      s.resume();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `redis://127.0.0.1:${(server.address() as { port: number }).port}/0`;
    try {
      await expect(checkSource({ url, stream: 'orders' }, undefined, 300)).rejects.toThrow(`no answer from ${url} within 0.3 s`);
      await expect.poll(() => sockets.size).toBe(0);
      expect(accepted).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
