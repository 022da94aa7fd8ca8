/**
 * The workers' counts of data rules on BullMQ (real Redis): a unit's counts are added once even
 * when its batch is retried (a worker killed between publishing and committing), the leader sums
 * the buckets of the window, and nothing is written once the run marker is gone. By hand.
 */
import { randomUUID } from 'node:crypto';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import type { AlertRule, Event } from '@sluice/shared';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../runners/bullmq/keys.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { countedRules } from './edge-rule-spec.js';
import { RemoteEdgeCounts } from './remote-edge-counts.js';
import { EdgeRuleCounting } from './worker-edge-tally.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-tally-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL);

afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  redis.disconnect();
});

const rules: AlertRule[] = [
  { id: 'failing', edge: 'e1', when: 'share_above', where: 'status == "failed"', value: 0.1, window: '1m' },
  { id: 'big', edge: 'e1', when: 'count_above', where: 'amount > 10', value: 1, window: '1m' },
];
const events = (failed: number, ok: number): Event[] => [
  ...Array.from({ length: failed }, () => ({ status: 'failed', amount: 20 })),
  ...Array.from({ length: ok }, () => ({ status: 'ok', amount: 5 })),
];

describe('data rule counts through Redis', () => {
  it('a retried unit adds nothing; the next one adds; the leader reads 6 of 40 (and 5 of 40, 1 failed)', async () => {
    await redis.set(keys.runMarker('p'), '1');
    const logs: string[] = [];
    const counting = new EdgeRuleCounting(redis, keys, 'p', 'g1', { alerts: { rules }, params: {} }, (l) => logs.push(l));
    // Unit 1 of task 1/0: 4 failed of 20; the edge's committed count goes 0 -> 20.
    const first = counting.tallyFor(1, 0);
    first.begin();
    first.observe('e1', events(4, 16));
    first.observe('e9', events(5, 5)); // no rule on e9: not counted
    await first.end({ e1: 20, e9: 10 });
    // The worker dies before committing; another rebuilds the task from the commit (count 0)
    // and applies the same batch: same events, same count 20. An abandoned attempt before it
    // (begin() drops it) must not count either.
    const retry = counting.tallyFor(1, 0);
    retry.observe('e1', events(9, 9));
    retry.begin();
    retry.observe('e1', events(4, 16));
    await retry.end({ e1: 20 });
    // Unit 2: 2 failed of 20, one of them with an amount that cannot be compared (a type error).
    retry.begin();
    retry.observe('e1', [...events(1, 18), { status: 'failed', amount: 'x' }]);
    await retry.end({ e1: 40 });

    const leader = new RemoteEdgeCounts(redis, keys, 'p', Date.now, (l) => logs.push(l));
    await leader.sync(undefined as never, rules, {});
    expect(leader.read('failing')).toEqual({ matching: 6, total: 40, failed: 0 });
    // amount > 10: 4 + 1 match; "x" > 10 is a type error, counted apart.
    expect(leader.read('big')).toEqual({ matching: 5, total: 40, failed: 1 });
    expect(JSON.parse((await redis.get(keys.alertRules('p')))!)).toEqual(countedRules(rules, {}));
    expect(await redis.hgetall(keys.alertCounted('p'))).toEqual({ 'g1|1|0|e1': '40' });
    expect(logs).toEqual([]);
  });

  it('the leader sums only the buckets of the window and deletes the older ones', async () => {
    await redis.set(keys.runMarker('w'), '1');
    const [spec] = countedRules([rules[0]!], {});
    // 1m window: buckets of 1 s; at 100.5 s the window holds the buckets from 41 s to 100 s.
    const key = keys.alertCounts('w', spec!.key);
    await redis.hset(key, '40000:m', '7', '40000:t', '70', '41000:m', '1', '41000:t', '10', '100000:m', '2', '100000:t', '5');
    const leader = new RemoteEdgeCounts(
      redis,
      keys,
      'w',
      () => 100_500,
      () => undefined,
    );
    await leader.sync(undefined as never, [rules[0]!], {});
    expect(leader.read('failing')).toEqual({ matching: 3, total: 15, failed: 0 });
    expect(Object.keys(await redis.hgetall(key)).sort()).toEqual(['100000:m', '100000:t', '41000:m', '41000:t']);
  });

  it('nothing is written once the run marker is gone (an undeploy stays an undeploy)', async () => {
    const counting = new EdgeRuleCounting(redis, keys, 'gone', 'g1', { alerts: { rules }, params: {} }, () => undefined);
    const t = counting.tallyFor(0, 0);
    t.observe('e1', events(1, 1));
    await t.end({ e1: 2 });
    const leader = new RemoteEdgeCounts(redis, keys, 'gone', Date.now, () => undefined);
    await leader.sync(undefined as never, rules, {});
    expect(await redis.keys(`${prefix}:*{gone}*`)).toEqual([]);
  });
});
