/**
 * A split source.http node's inboxes (parallelism N, `partitionBy`): both hubs, the Redis one
 * against the real Redis. Each record goes to partition fnv1a32(utf8(key)) mod N; the expected
 * partitions are the hand-computed ones of shared/src/key-partition.test.ts. All or nothing: a
 * record without a key, or a request over the node's capacity, takes nothing.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { RedisKeys } from '../runners/bullmq/keys.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { type IngestHub, MemoryIngestHub } from './ingest-hub.js';
import { RedisIngestHub } from './redis-ingest-hub.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-ingest-split-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
let redis: Redis;
const hubs: RedisIngestHub[] = [];

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  expect(await redis.ping()).toBe('PONG');
  for (const pid of ['place', 'cap', 'close', 'other-server']) await redis.set(keys.runMarker(pid), 'test');
});

afterAll(async () => {
  for (const h of hubs) await h.quit();
  await redis.quit();
  await deletePrefixKeys(REDIS_URL, prefix);
});

function redisHub(): RedisIngestHub {
  const h = new RedisIngestHub({ redisUrl: REDIS_URL, prefix });
  hubs.push(h);
  return h;
}

const split = (index: number) => ({ index, of: 3, partitionBy: 'user.id' });

/** Records and the partition (of 3) each must land in (key-partition.test.ts's table). */
const RECORDS: [record: Record<string, unknown>, partition: number][] = [
  [{ user: { id: 'user-1' }, n: 1 }, 1],
  [{ user: { id: 'user-3' }, n: 2 }, 2],
  [{ user: { id: 42 }, n: 3 }, 2],
  [{ user: { id: true }, n: 4 }, 0],
  [{ user: { id: 1.5 }, n: 5 }, 0],
  [{ user: { id: 'user-2' }, n: 6 }, 1],
];

describe.each([
  ['memory', () => new MemoryIngestHub() as IngestHub],
  ['Redis', () => redisHub() as IngestHub],
])('split ingest, %s hub', (_name, make) => {
  it('places each record in its key’s partition, in the order accepted', async () => {
    const hub = make();
    const inboxes = [0, 1, 2].map((p) => hub.open('place', 'in', 100, split(p)));
    expect(
      await hub.offer(
        'place',
        'in',
        RECORDS.map(([r]) => r),
      ),
    ).toBe('accepted');
    expect(await hub.waiting('place', 'in')).toBe(6);
    for (const p of [0, 1, 2]) {
      const want = RECORDS.filter(([, q]) => q === p).map(([r]) => r);
      expect(await inboxes[p]!.take(100), `partition ${p}`).toEqual(want);
    }
    hub.close('place');
  });

  it('refuses a request with a record without the key, naming the record and the field, and takes none of it', async () => {
    const hub = make();
    for (const p of [0, 1, 2]) hub.open('place', 'in', 100, split(p));
    for (const bad of [{ n: 1 }, { user: {} }, { user: { id: null } }, { user: { id: { a: 1 } } }, 'text']) {
      expect(await hub.offer('place', 'in', [{ user: { id: 'a' } }, bad])).toEqual({ unplaced: { record: 1, field: 'user.id' } });
    }
    expect(await hub.waiting('place', 'in')).toBe(0);
    hub.close('place');
  });

  it('shares the node’s capacity across its partitions, all or nothing', async () => {
    const hub = make();
    for (const p of [0, 1, 2]) hub.open('cap', 'in', 4, split(p));
    expect(
      await hub.offer(
        'cap',
        'in',
        RECORDS.slice(0, 3).map(([r]) => r),
      ),
    ).toBe('accepted');
    expect(
      await hub.offer(
        'cap',
        'in',
        RECORDS.slice(3, 5).map(([r]) => r),
      ),
    ).toBe('full');
    expect(await hub.waiting('cap', 'in')).toBe(3);
    expect(await hub.offer('cap', 'in', [RECORDS[3]![0]])).toBe('accepted');
    hub.close('cap');
  });
});

describe('split ingest, Redis specifics', () => {
  it('a server that did not open the node places records from the listing a worker wrote', async () => {
    const worker = redisHub();
    const inbox = worker.open('other-server', 'in', 100, split(2));
    const server = redisHub();
    await expect.poll(() => redis.hget(keys.ingestCapacity('other-server'), 'in')).toBe('{"capacity":100,"of":3,"partitionBy":"user.id"}');
    expect(
      await server.offer(
        'other-server',
        'in',
        RECORDS.map(([r]) => r),
      ),
    ).toBe('accepted');
    expect(await inbox.take(100)).toEqual(RECORDS.filter(([, q]) => q === 2).map(([r]) => r));
    expect(await redis.xlen(keys.ingest('other-server', 'in#1'))).toBe(2);
    server.close('other-server');
  });

  it('closing deletes every partition’s stream and the listing, whatever split a redeploy changed', async () => {
    const h = redisHub();
    for (const p of [0, 1, 2]) h.open('close', 'in', 100, split(p));
    expect(
      await h.offer(
        'close',
        'in',
        RECORDS.map(([r]) => r),
      ),
    ).toBe('accepted');
    // Redeployed with parallelism 1: the node's listing says unsplit now, its old streams remain.
    h.open('close', 'in', 100);
    expect(await h.offer('close', 'in', [{ n: 7 }])).toBe('accepted');
    const streams = [keys.ingest('close', 'in'), keys.ingest('close', 'in#0'), keys.ingest('close', 'in#1'), keys.ingest('close', 'in#2')];
    expect(await redis.exists(...streams)).toBe(4);
    // Closed by another server (which knows the node only from the listing).
    redisHub().close('close');
    await expect.poll(() => redis.exists(...streams, keys.ingestCapacity('close'))).toBe(0);
  });
});
