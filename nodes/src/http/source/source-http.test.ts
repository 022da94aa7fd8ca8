import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { BoundedInbox } from '../../sdk/inbox.js';
import type { SourceBatch, SourceOperator } from '../../sdk/operator.js';
import { testContext } from '../../sdk/testing/index.js';
import { sourceHttpDefinition } from './definition.js';
import { sourceHttpOperator } from './operator.js';

function source(config: Record<string, unknown>, now: () => number = () => 1000) {
  const parsed = sourceHttpDefinition.config.parse(config);
  let inbox: BoundedInbox | undefined;
  const ctx = {
    ...testContext({ config: parsed, now, nodeId: 'http' }),
    inbox: (capacity: number) => (inbox = new BoundedInbox(capacity)),
  };
  const src = sourceHttpOperator(ctx) as SourceOperator;
  return { src, inbox: inbox!, poll: (max = 100) => src.poll(max) as SourceBatch };
}

const times = (events: readonly Event[]) => events.map((e) => e[EVENT_TIME]);

describe('source.http', () => {
  it('defaults: maxBuffered 100000, format auto, no disorder; unbounded', () => {
    expect(sourceHttpDefinition.config.parse({})).toEqual({ maxBuffered: 100_000, format: 'auto', maxOutOfOrderness: '0s' });
    expect(sourceHttpDefinition.bounded!(sourceHttpDefinition.config.parse({}))).toBe(false);
    expect(sourceHttpDefinition.config.safeParse(sourceHttpDefinition.example).success).toBe(true);
    expect(sourceHttpDefinition.config.safeParse({ maxBuffered: 0 }).success).toBe(false);
    expect(sourceHttpDefinition.config.safeParse({ format: 'xml' }).success).toBe(false);
  });

  it('asks its host for an inbox of maxBuffered records, and refuses to run without a host', () => {
    expect(source({ maxBuffered: 7 }).inbox.capacity).toBe(7);
    const parsed = sourceHttpDefinition.config.parse({});
    expect(() => sourceHttpOperator(testContext({ config: parsed }))).toThrow(/host that feeds it/);
  });

  it('stamps event time from timeField (number, numeric string, ISO, nested), ingest time, and the watermark', () => {
    const { inbox, poll } = source({ timeField: 'ts', maxOutOfOrderness: '10ms' }, () => 5000);
    inbox.offer([{ ts: 100 }, { ts: '150' }, { ts: '1970-01-01T00:00:00.120Z' }]);
    const b = poll();
    expect(times(b.events)).toEqual([100, 150, 120]);
    expect(b.events.every((e) => e[INGEST_TIME] === 5000)).toBe(true);
    expect(b.watermark).toBe(140);
    expect(b.done).toBe(false);
    // 120 arrived behind the watermark of the events before it (150 - 10): it carries it.
    expect(b.events[2]![SOURCE_WATERMARK]).toBe(140);
    expect(b.events[0]![SOURCE_WATERMARK]).toBeUndefined();
    const nested = source({ timeField: 'meta.at' });
    nested.inbox.offer([{ meta: { at: 7 } }]);
    expect(times(nested.poll().events)).toEqual([7]);
  });

  it('without timeField: arrival time, and a watermark that follows the clock while idle', () => {
    let now = 1000;
    const { inbox, poll } = source({ maxOutOfOrderness: '100ms' }, () => now);
    inbox.offer([{ a: 1 }]);
    const b = poll();
    expect(times(b.events)).toEqual([1000]);
    expect(b.watermark).toBe(900);
    now = 3000;
    const idle = poll();
    expect(idle.events).toEqual([]);
    expect(idle.watermark).toBe(2900);
  });

  it('sends records that are not objects, or have no usable time, to the error port', () => {
    const { inbox, poll } = source({ timeField: 'ts' });
    inbox.offer([42, [1], null, { x: 1 }, { ts: 'soon' }, { ts: 5 }]);
    const b = poll();
    expect(times(b.events)).toEqual([5]);
    expect(b.errors!.map((e) => e.error)).toEqual([
      'not a JSON object',
      'not a JSON object',
      'not a JSON object',
      'timeField "ts" is missing',
      'timeField "ts" is not a time (epoch ms or ISO-8601): "soon"',
    ]);
    expect(b.errors![0]!.event).toEqual({ value: 42 });
  });

  it('takes at most `max` per poll, oldest first, and nothing when the inbox is empty', () => {
    const { inbox, poll } = source({});
    inbox.offer(Array.from({ length: 5 }, (_, i) => ({ i })));
    expect(poll(3).events.map((e) => e.i)).toEqual([0, 1, 2]);
    expect(poll(3).events.map((e) => e.i)).toEqual([3, 4]);
    expect(poll(3).events).toEqual([]);
  });
});

describe('BoundedInbox', () => {
  it('takes a batch whole or not at all', () => {
    const inbox = new BoundedInbox(3);
    expect(inbox.offer([1, 2])).toBe(true);
    expect(inbox.offer([3, 4])).toBe(false);
    expect(inbox.size).toBe(2);
    expect(inbox.offer([3])).toBe(true);
    expect(inbox.take(10)).toEqual([1, 2, 3]);
    expect(inbox.offer([4, 5, 6])).toBe(true);
  });

  it('stays in order across many offers and takes (compaction)', () => {
    const inbox = new BoundedInbox(100_000);
    let next = 0;
    const seen: unknown[] = [];
    for (let round = 0; round < 50; round++) {
      inbox.offer(Array.from({ length: 1000 }, () => next++));
      seen.push(...inbox.take(900));
    }
    seen.push(...inbox.take(100_000));
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(inbox.size).toBe(0);
  });

  it('adopt puts what an old inbox held ahead of anything newer', () => {
    const old = new BoundedInbox(5);
    old.offer(['a', 'b']);
    const fresh = new BoundedInbox(5);
    fresh.offer(['c']);
    fresh.adopt(old);
    expect(fresh.take(10)).toEqual(['a', 'b', 'c']);
    expect(old.size).toBe(0);
  });
});
