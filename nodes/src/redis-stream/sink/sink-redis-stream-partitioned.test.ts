/**
 * sink.redis-stream writing into N streams by key (`partitions`, `partitionBy`) against the real
 * Redis: each event lands in stream fnv1a32(utf8(key)) mod N, the hand-computed partitions of
 * shared/src/key-partition.test.ts; an event without the key fails the batch, naming the field.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkOperator } from '../../sdk/operator.js';
import { recordingCollector, testContext } from '../../sdk/testing/index.js';
import { TEST_KEY_ROOT } from '../../sdk/testing/test-key-root.js';
import { connectTestRedis, releaseTestRedis, TEST_REDIS_URL } from '../redis-test-client.js';
import { sinkRedisStreamDefinition } from './definition.js';
import { sinkRedisStreamOperator } from './operator.js';

const PREFIX = `${TEST_KEY_ROOT}:sink-rs-keyed:${randomUUID()}`;
let redis: Redis;
const opened: SinkOperator[] = [];
const col = recordingCollector('out', () => true);

beforeAll(async () => {
  redis = await connectTestRedis();
});

afterAll(async () => {
  for (const s of opened) await s.close?.();
  await releaseTestRedis(redis, PREFIX);
});

async function sink(stream: string): Promise<SinkOperator> {
  const config = sinkRedisStreamDefinition.config.parse({ url: TEST_REDIS_URL, stream, partitions: 3, partitionBy: 'user.id' });
  const s = (await sinkRedisStreamOperator(testContext({ nodeId: 'out', config }))) as SinkOperator;
  opened.push(s);
  return s;
}

const records = async (key: string) => (await redis.xrange(key, '-', '+')).map(([, f]) => JSON.parse(f[1]!) as { n: number });

describe('sink.redis-stream by key into N streams', () => {
  it('puts each event in its key’s stream, in order', async () => {
    const base = `${PREFIX}:a`;
    const s = await sink(`${base}:{partition}`);
    // Hand-computed (key-partition.test.ts): user-1 -> 1, user-3 -> 2, 42 -> 2, true -> 0, user-2 -> 1 (of 3).
    s.process(
      [
        { user: { id: 'user-1' }, n: 1 },
        { user: { id: 'user-3' }, n: 2 },
        { user: { id: 42 }, n: 3 },
        { user: { id: true }, n: 4 },
        { user: { id: 'user-2' }, n: 5 },
      ],
      col,
      'in',
    );
    await s.flush!();
    expect((await records(`${base}:0`)).map((r) => r.n)).toEqual([4]);
    expect((await records(`${base}:1`)).map((r) => r.n)).toEqual([1, 5]);
    expect((await records(`${base}:2`)).map((r) => r.n)).toEqual([2, 3]);
  });

  it('fails a batch with an event without the key, naming the field, and writes none of it', async () => {
    const base = `${PREFIX}:b`;
    const s = await sink(`${base}:{partition}`);
    expect(() => s.process([{ user: { id: 'user-1' }, n: 1 }, { n: 2 }], col, 'in')).toThrow(
      'cannot place an event: no string, number or boolean in "user.id" (partitionBy)',
    );
    await s.flush!();
    expect(await redis.exists(`${base}:0`, `${base}:1`, `${base}:2`)).toBe(0);
  });

  it('needs partitions, partitionBy and {partition} together', () => {
    const check = (c: Record<string, unknown>) =>
      sinkRedisStreamDefinition.check!(sinkRedisStreamDefinition.config.parse({ url: TEST_REDIS_URL, ...c })).map(
        (p) => `${p.path}: ${p.message}`,
      );
    expect(check({ stream: 'o:{partition}', partitions: 4, partitionBy: 'k' })).toEqual([]);
    expect(check({ stream: 'o', partitions: 4, partitionBy: 'k' })).toEqual([
      'config.stream: with partitions the stream must name them with {partition} (e.g. "orders:{partition}")',
    ]);
    expect(check({ stream: 'o:{partition}', partitions: 4 })).toEqual(['config.partitionBy: partitions and partitionBy go together']);
    expect(check({ stream: 'o:{partition}' })).toEqual(['config.stream: {partition} in the stream needs partitions and partitionBy']);
  });
});
