/**
 * The pending mark a source partition's holder writes before a batch's jobs go out
 * (docs/source-partitions.md). A restored checkpoint is the base of the next mark, untouched by
 * the batch that follows. A source that cannot read a batch again (`replayable: false`, a queue) has its batch in flight
 * kept in the pending mark (docs/source-partitions.md, RabbitMQ): against the real Redis, the
 * mark written by one holder gives the next exactly that batch (events with their times and
 * stamps, error records), without polling the source.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import type { SourceBatch } from '@sluice/nodes/sdk';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { RedisKeys } from './keys.js';
import { SourceCheckpoints } from './source-checkpoints.js';
import { keepBatch, pollBatch, restoreSlot, type SourceSlot } from './source-slot.js';
import { deletePrefixKeys } from './test-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-kept-${randomUUID().slice(0, 8)}`;
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await redis.quit();
  await deletePrefixKeys(REDIS_URL, prefix);
});

const stamped = (fields: Record<string, unknown>, time: number, behind?: number): Event => {
  const e: Record<string | symbol, unknown> = { ...fields, [EVENT_TIME]: time, [INGEST_TIME]: 5_000 };
  if (behind !== undefined) e[SOURCE_WATERMARK] = behind;
  return e as Event;
};

/** The event's fields without its symbol-keyed stamps. */
const fieldsOf = (e: Event): unknown => JSON.parse(JSON.stringify(e));

describe('a batch kept in the pending mark', () => {
  it('is what the resuming holder sends again, times and stamps included, without polling the source', async () => {
    const keys = new RedisKeys(prefix);
    const cps = new SourceCheckpoints(redis, keys, 'kept');
    await redis.set(keys.runMarker('kept'), 'g1');
    const batch: SourceBatch = {
      events: [stamped({ order: 1, amount: 250 }, 1_000), stamped({ order: 2, nested: { a: [1, 2] } }, 900, 1_000)],
      watermark: 1_000,
      done: false,
      errors: [{ event: { routingKey: 'r', _raw: 'not json' }, error: 'routing key r: not JSON' }],
    };
    // '' is the coordinator's holder value: written while no worker holds the partition.
    await cps.markPending('src', 1, undefined, { from: 7, records: 3, watermark: 1_000, done: false, kept: keepBatch(batch) }, '');
    const cp = await cps.read('src', 1);
    let polls = 0;
    const slot = {
      source: {
        poll: () => {
          polls++;
          return { events: [], watermark: 0, done: false };
        },
      },
      replay: cp!.pending,
    } as unknown as SourceSlot;
    const again = await pollBatch(slot, 100, () => false);
    expect(polls).toBe(0);
    expect(slot.replay).toBeUndefined();
    expect(again.events.map(fieldsOf)).toEqual([
      { order: 1, amount: 250 },
      { order: 2, nested: { a: [1, 2] } },
    ]);
    expect(again.events.map((e) => [e[EVENT_TIME], e[INGEST_TIME], e[SOURCE_WATERMARK]])).toEqual([
      [1_000, 5_000, undefined],
      [900, 5_000, 1_000],
    ]);
    expect(again.errors!.map((e) => ({ event: fieldsOf(e.event), error: e.error }))).toEqual([
      { event: { routingKey: 'r', _raw: 'not json' }, error: 'routing key r: not JSON' },
    ]);
    expect([again.watermark, again.done]).toEqual([1_000, false]);
    // The next poll reads the source again.
    await pollBatch(slot, 100, () => false);
    expect(polls).toBe(1);
  });

  it('a restored checkpoint stays the base of the next pending mark while the exchange numbers the batch', async () => {
    const cp = {
      position: 40,
      pending: { from: 40, records: 50 },
      exchange: { seq: { 'e1:0>1': 7 }, sentWm: { 'e1:0>1': 900 } },
      watermark: 900,
      done: false,
      counters: {},
    };
    const slot = {
      exchange: { state: { seq: {}, sentWm: {} }, edgeCounts: {} },
      task: { restoreWatermarks: () => undefined },
      source: { seek: () => undefined, poll: () => ({ events: [], watermark: 0, done: false }) },
    } as unknown as SourceSlot;
    await restoreSlot(slot, cp, new Map());
    // The replayed batch takes sequence number 8 on its channel...
    slot.exchange.state.seq['e1:0>1'] = 8;
    // ...and the mark written before its jobs go out still says 7: whoever resumes after a crash
    // there numbers that batch 8 again (same job ids), not 9 (a duplicate).
    expect(slot.last!.exchange.seq).toEqual({ 'e1:0>1': 7 });
    expect(slot.replay).toEqual({ from: 40, records: 50 });
  });
});
