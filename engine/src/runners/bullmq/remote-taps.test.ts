/** Taps on edges inside workers: samples leave the worker masked (docs/privacy.md), and the server does not mask them twice. */
import type { Event } from '@sluice/shared';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { pipelinePrivacy } from '../../privacy/pipeline-privacy.js';
import { RedisKeys } from './keys.js';
import { TapPublisher, TapSubscriber } from './remote-taps.js';
import { deletePrefixKeys } from './test-keys.js';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `${TEST_KEY_ROOT}-remote-taps-${process.pid}`;

afterAll(() => deletePrefixKeys(REDIS, PREFIX));

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('remote taps', () => {
  it("publish the worker's masked sample; the server's mask keeps rule results as they are and names the fields", async () => {
    const keys = new RedisKeys(PREFIX);
    const server = new Redis(REDIS);
    const worker = new Redis(REDIS);
    const doc = { privacy: { mask: [{ field: 'card_id', op: 'keep_last' as const, keep: 2 }] } };
    const privacy = pipelinePrivacy(doc);
    const sub = new TapSubscriber(server, keys, 'p1');
    const pub = new TapPublisher(worker, keys, 'p1', (e) => privacy.mask(e));
    try {
      const seen: Event[] = [];
      const off = sub.add('e2', (events) => seen.push(...events));
      await waitUntil(async () => {
        await pub.refresh();
        return pub.tapped.has('e2');
      });
      // Published until the subscription is live (subscribe is asynchronous).
      await waitUntil(() => {
        pub.publish('e2', [{ card_id: 'card-00042', owner_email: 'a@b.c', amount: 3 } as unknown as Event]);
        return seen.length > 0;
      });
      off();
      expect(JSON.parse(JSON.stringify(seen[0]))).toEqual({ card_id: '********42', owner_email: '***', amount: 3 });
      // At the server (the tap route): not masked again, the personal-name fields still named.
      const named = new Set<string>();
      expect(JSON.parse(JSON.stringify(privacy.mask(seen[0]!, named)))).toEqual({ card_id: '********42', owner_email: '***', amount: 3 });
      expect([...named]).toEqual(['owner_email']);
    } finally {
      await sub.close();
      server.disconnect();
      worker.disconnect();
    }
  });
});
