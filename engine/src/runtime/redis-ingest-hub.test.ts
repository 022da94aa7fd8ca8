/** The durable ingest hub against the real Redis (127.0.0.1:6379 or REDIS_URL): no Redis, no pass. */
import { randomUUID } from 'node:crypto';
import type { Inbox } from '@sluice/nodes/sdk';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisKeys } from '../runners/bullmq/keys.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { nextId, RedisIngestHub } from './redis-ingest-hub.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-ingest-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const hubs: RedisIngestHub[] = [];
let redis: Redis;

function hub(): RedisIngestHub {
  const h = new RedisIngestHub({ redisUrl: REDIS_URL, prefix });
  hubs.push(h);
  return h;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  // Fails the suite (never skips it) when Redis cannot be reached.
  expect(await redis.ping()).toBe('PONG');
  // A deployed run has its marker (run-marker.ts); without it offers are refused.
  for (const pid of ['order', 'cap', 'gate', 'gate-2', 'seek', 'trim', 'restart']) await redis.set(keys.runMarker(pid), 'test');
});

afterAll(async () => {
  for (const h of hubs) await h.quit();
  await redis.quit();
  await deletePrefixKeys(REDIS_URL, prefix);
});

const take = async (inbox: Inbox, max = 100) => await inbox.take(max);

describe('RedisIngestHub', () => {
  it('offers go to the stream in order; the inbox takes at most max, oldest first', async () => {
    const h = hub();
    const inbox = h.open('order', 'n', 100);
    expect(await h.offer('order', 'n', [{ a: 1 }, { a: 2 }])).toBe('accepted');
    expect(await h.offer('order', 'n', [{ a: 3 }, 'not an object', [4], null])).toBe('accepted');
    expect(await redis.xlen(keys.ingest('order', 'n'))).toBe(6);
    expect(await take(inbox, 2)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await take(inbox)).toEqual([{ a: 3 }, 'not an object', [4], null]);
    expect(await take(inbox)).toEqual([]);
    expect(await h.offer('order', 'n', [])).toBe('accepted');
  });

  it('all or nothing at capacity: a batch that does not fit is refused whole', async () => {
    const h = hub();
    h.open('cap', 'n', 5);
    expect(await h.offer('cap', 'n', [1, 2, 3])).toBe('accepted');
    expect(await h.offer('cap', 'n', [4, 5, 6])).toBe('full');
    expect(await h.waiting('cap', 'n')).toBe(3);
    expect(await h.offer('cap', 'n', [4, 5])).toBe('accepted');
    expect(await h.offer('cap', 'n', [6])).toBe('full');
    expect(
      await h.offer(
        'cap',
        'n',
        Array.from({ length: 6 }, (_, i) => i),
      ),
    ).toBe('full');
    expect(await h.waiting('cap', 'n')).toBe(5);
  });

  it('unknown until the node opened its inbox, and again once the pipeline is closed, which deletes its streams only', async () => {
    const h = hub();
    expect(await h.offer('gate', 'n', [1])).toBe('unknown');
    h.open('gate', 'n', 10);
    h.open('gate-2', 'n', 10);
    expect(await h.offer('gate', 'other', [1])).toBe('unknown');
    expect(await h.offer('gate', 'n', [1])).toBe('accepted');
    h.close('gate');
    expect(await h.offer('gate', 'n', [2])).toBe('unknown');
    expect(await h.offer('gate-2', 'n', [2])).toBe('accepted');
    await vi.waitFor(async () => expect(await redis.exists(keys.ingest('gate', 'n'))).toBe(0));
    expect(await redis.xlen(keys.ingest('gate-2', 'n'))).toBe(1);
  });

  it('position and seek: reading again from a position gives exactly the records after it', async () => {
    const h = hub();
    const inbox = h.open('seek', 'n', 100);
    expect(inbox.position!()).toBe('0-0');
    await h.offer('seek', 'n', ['a', 'b', 'c', 'd', 'e']);
    expect(await take(inbox, 2)).toEqual(['a', 'b']);
    const from = inbox.position!();
    expect(await take(inbox, 2)).toEqual(['c', 'd']);
    await inbox.seek!(from);
    expect(await take(inbox, 2)).toEqual(['c', 'd']);
    expect(await take(inbox)).toEqual(['e']);
    await inbox.seek!('0-0');
    expect(await take(inbox)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(() => inbox.seek!(42)).toThrow(/not a stream id/);
  });

  it('release trims what a checkpoint covers and nothing after it', async () => {
    const h = hub();
    const inbox = h.open('trim', 'n', 4);
    await h.offer('trim', 'n', [1, 2, 3, 4]);
    expect(await h.offer('trim', 'n', [5])).toBe('full');
    expect(await take(inbox, 2)).toEqual([1, 2]);
    const checkpoint = inbox.position!();
    expect(await take(inbox, 1)).toEqual([3]);
    await inbox.release!(checkpoint);
    const left = await redis.xrange(keys.ingest('trim', 'n'), '-', '+');
    expect(left.map(([, f]) => JSON.parse(f[1]!))).toEqual([3, 4]);
    // Released entries no longer count against the capacity.
    expect(await h.offer('trim', 'n', [5, 6])).toBe('accepted');
    await inbox.release!('0-0');
    expect(await h.waiting('trim', 'n')).toBe(4);
    await inbox.release!(inbox.position!());
    expect(await take(inbox)).toEqual([4, 5, 6]);
    await inbox.release!(inbox.position!());
    expect(await h.waiting('trim', 'n')).toBe(0);
  });

  it('a new hub (a restarted server) on the same stream reads what the old one accepted and did not release', async () => {
    const before = hub();
    const old = before.open('restart', 'n', 100);
    await before.offer('restart', 'n', [1, 2, 3, 4, 5]);
    expect(await take(old, 2)).toEqual([1, 2]);
    const checkpoint = old.position!();
    await old.release!(checkpoint);
    expect(await take(old, 2)).toEqual([3, 4]);
    await before.quit();
    // The coordinator comes back: a fresh source seeks to the checkpoint...
    const after = hub();
    const resumed = after.open('restart', 'n', 100);
    await resumed.seek!(checkpoint);
    expect(await after.offer('restart', 'n', [6])).toBe('accepted');
    expect(await take(resumed)).toEqual([3, 4, 5, 6]);
    // ...or, with no checkpoint yet, reads whatever the stream still holds.
    const fresh = after.open('restart', 'n', 100);
    expect(await take(fresh)).toEqual([3, 4, 5, 6]);
  });

  it('unavailable (nothing taken) once the run marker is gone: Redis lost the run, or it was undeployed', async () => {
    const h = hub();
    h.open('lost', 'n', 10);
    expect(await h.offer('lost', 'n', [1])).toBe('unavailable');
    expect(await redis.exists(keys.ingest('lost', 'n'))).toBe(0);
  });

  it('nextId is the id just after, past the 64-bit float range too', () => {
    expect(nextId('0-0')).toBe('0-1');
    expect(nextId('1700000000000-18446744073709551614')).toBe('1700000000000-18446744073709551615');
    expect(nextId('5-18446744073709551615')).toBe('6-0');
    expect(() => nextId('x')).toThrow(/not a stream id/);
  });
});
