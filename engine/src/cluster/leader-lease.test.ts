/**
 * The leader lease against the real Redis: one holder at a time; it keeps the lease by renewing;
 * a holder that cannot renew gives it up (fences itself) before Redis lets another take it; a
 * holder whose key was taken over stops leading at its next renew and cannot delete the new
 * holder's key; a clean stop hands over at the next try.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { LeaderLease, parseLeader } from './leader-lease.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-leader-${randomUUID().slice(0, 8)}`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const leases: LeaderLease[] = [];
afterAll(async () => {
  for (const l of leases) await l.stop().catch(() => undefined);
  await deletePrefixKeys(REDIS_URL, prefix);
  await redis.quit();
});

/** A lease recording what happened to it, in order, into `log`. */
function lease(key: string, id: string, log: string[], ttlMs = 1500): LeaderLease {
  const l = new LeaderLease({
    redisUrl: REDIS_URL,
    key,
    serverId: id,
    ttlMs,
    onLead: (info) => void log.push(`${id} leads ${info.token}`),
    onFollow: (why) => void log.push(`${id} follows: ${why}`),
  });
  leases.push(l);
  return l;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the leader lease', () => {
  it('one server takes it, the other follows; the holder keeps it by renewing', async () => {
    const key = `${prefix}:a:leader`;
    const log: string[] = [];
    const a = lease(key, 'a', log);
    const b = lease(key, 'b', log);
    await a.start();
    await b.start();
    expect(a.leading?.id).toBe('a');
    expect(b.leading).toBeUndefined();
    expect((await b.leader())?.id).toBe('a');
    // Renewed past several TTLs: the key is still a's (an unrenewed key would have expired).
    const first = await redis.get(key);
    await until('three TTLs passed', async () => (await redis.pttl(key)) > 0 && Date.now() - parseLeader(first)!.since > 4500);
    expect(await redis.get(key)).toBe(first);
    expect(log).toEqual([`a leads ${parseLeader(first)!.token}`]);
    await a.stop();
    await b.stop();
  });

  it('a holder that cannot renew stops leading before another server can take the lease', async () => {
    const key = `${prefix}:b:leader`;
    const log: string[] = [];
    const a = lease(key, 'a', log, 3000);
    await a.start();
    const b = lease(key, 'b', log, 3000);
    await b.start();
    // a's connection is cut (a network partition as a holder sees it): its renews fail.
    a.connection.disconnect();
    await until('b leads', () => b.leading !== undefined);
    expect(log[0]).toMatch(/^a leads /);
    expect(log[1]).toMatch(/^a follows: no renew succeeded within 2000 ms/);
    expect(log[2]).toMatch(/^b leads /);
    // Each new holder has a larger fencing token.
    expect(BigInt(parseLeader(await redis.get(key))!.token)).toBeGreaterThan(BigInt(log[0]!.split(' ')[2]!));
    await b.stop();
  });

  it('a holder whose key another server took stops leading at its next renew, and its stop leaves that key alone', async () => {
    const key = `${prefix}:c:leader`;
    const log: string[] = [];
    const a = lease(key, 'a', log);
    await a.start();
    expect(a.leading).toBeDefined();
    // What a holder sees after a pause past the TTL: the key expired and someone else holds it.
    await redis.set(key, 'z 99999999999999999 0', 'PX', 60_000);
    await until('a follows', () => a.leading === undefined);
    expect(log[1]).toBe('a follows: the lease expired in Redis or another server holds it');
    await a.stop();
    expect(await redis.get(key)).toBe('z 99999999999999999 0');
  });

  it('a clean stop gives the lease up at once: the follower takes it at its next try, not after the TTL', async () => {
    const key = `${prefix}:d:leader`;
    const log: string[] = [];
    // A TTL of a minute: only the release lets b lead within this test's wait.
    const a = lease(key, 'a', log, 60_000);
    const b = lease(key, 'b', log, 60_000);
    await a.start();
    await b.start();
    let detached = false;
    await a.stop(async () => {
      detached = true;
    });
    expect(detached).toBe(true);
    expect(await redis.exists(key)).toBe(0);
    // b tries every third of its TTL; a fresh lease tries at start.
    const c = lease(key, 'c', log, 60_000);
    await c.start();
    expect(c.leading?.id).toBe('c');
    await b.stop();
    await c.stop();
  });
});
