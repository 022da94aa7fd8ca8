import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { decodeEvents, encodeEvents } from './batch-codec.js';
import { numberColumn, toColumns } from './batch-columns.js';

function stamped(fields: Record<string, unknown>, time: number, ingest?: number, sw?: number): Event {
  const e: Record<string | symbol, unknown> = { ...fields };
  e[EVENT_TIME] = time;
  if (ingest !== undefined) e[INGEST_TIME] = ingest;
  if (sw !== undefined) e[SOURCE_WATERMARK] = sw;
  return e as Event;
}

/** Fields, key order and stamps, as a receiver sees them. */
function view(events: readonly Event[]) {
  return events.map((e) => ({ keys: Object.keys(e), fields: { ...e }, t: e[EVENT_TIME], i: e[INGEST_TIME], sw: e[SOURCE_WATERMARK] }));
}

describe('BullMQ batch codec', () => {
  it('round-trips a batch of one shape as columns, values and stamps exact', () => {
    const events = [
      stamped({ campaign_id: 'c1', n: 1, x: 0.5, ok: true, tag: null, big: 2 ** 40 }, 1_000, 5_000),
      stamped({ campaign_id: 'c2', n: -3, x: Number.NaN, ok: false, tag: null, big: 2 ** 40 + 1 }, 1_001.5, 5_000, 990),
      stamped({ campaign_id: 'c1', n: 7, x: -0, ok: true, tag: null, big: 2 ** 40 }, 1_002, undefined),
      stamped({ campaign_id: 'c1', n: 2, x: 1e300, ok: true, tag: null, big: 2 ** 40 }, 1_003, 5_001),
    ];
    const job = encodeEvents(events);
    expect(job.n).toBe(4);
    expect(view(decodeEvents(job))).toEqual(view(events));
    const back = decodeEvents(job);
    expect(Object.is(back[2]!.x, -0)).toBe(true);
    expect(Number.isNaN(back[1]!.x)).toBe(true);
    expect(back[0]![SOURCE_WATERMARK]).toBeUndefined();
    expect(back[1]![SOURCE_WATERMARK]).toBe(990);
  });

  it('chooses the narrow codings: one value, int32 offsets, interned strings', () => {
    expect(numberColumn([4, 4, 4])).toEqual(['k', 4]);
    expect(numberColumn([10, 12, 11])[0]).toBe('i');
    expect(numberColumn([1, 2.5])[0]).toBe('f');
    expect(numberColumn([0, 2 ** 32])[0]).toBe('f'); // offsets beyond int32
    // YSB: 100 campaigns, a third of 10,000 events per batch.
    const events = Array.from({ length: 3_000 }, (_, i) => stamped({ campaign_id: `campaign-${(i * 37) % 100}` }, 1_000 + i, 7));
    const c = toColumns(events)!;
    expect(c.cols[0]![0]).toBe('s');
    expect(c.time[0]).toBe('i');
    expect(c.ingest).toEqual(['k', 7]);
    // About 1 byte of campaign id and 4 of time an event, where rows took dozens.
    expect(Buffer.from(encodeEvents(events).p!, 'base64').length).toBeLessThan(3_000 * 5 + 100 * 14);
  });

  it('keeps strings that do not repeat, nested values and undefined as they are', () => {
    const events = [
      stamped({ id: 'a', nested: { k: [1, 'x'] }, u: undefined, mix: 1 }, 1),
      stamped({ id: 'b', nested: { k: [] }, u: undefined, mix: 'one' }, 2),
      stamped({ id: 'c', nested: null, u: undefined, mix: true }, 3),
    ];
    expect(view(decodeEvents(encodeEvents(events)))).toEqual(view(events));
    expect('u' in decodeEvents(encodeEvents(events))[0]!).toBe(true);
  });

  it('sends a batch of mixed shapes as rows, key order kept', () => {
    const events = [stamped({ a: 1, b: 2 }, 1), stamped({ b: 3, a: 4 }, 2), stamped({ a: 5 }, 3)];
    expect(toColumns(events)).toBeUndefined();
    expect(view(decodeEvents(encodeEvents(events)))).toEqual(view(events));
  });

  it('ships only the projected fields, and rows when an event lacks one', () => {
    const events = [stamped({ a: 1, b: 'x', c: 3 }, 1), stamped({ a: 2, b: 'y', c: 4 }, 2)];
    expect(view(decodeEvents(encodeEvents(events, ['b'])))).toEqual(view([stamped({ b: 'x' }, 1), stamped({ b: 'y' }, 2)]));
    const missing = [stamped({ a: 1, b: 'x' }, 1), stamped({ a: 2 }, 2)];
    expect(toColumns(missing, ['b'])).toBeUndefined();
    expect(view(decodeEvents(encodeEvents(missing, ['b'])))).toEqual(view([stamped({ b: 'x' }, 1), stamped({}, 2)]));
  });

  it('reads a job written in rows before columns existed', async () => {
    const { Packr } = await import('msgpackr');
    const packr = new Packr({ useRecords: true, structuredClone: false });
    const p = packr.pack({ events: [{ a: 1 }], times: [10], ingest: [20], behind: [[0, 5]] }).toString('base64');
    expect(view(decodeEvents({ n: 1, p }))).toEqual(view([stamped({ a: 1 }, 10, 20, 5)]));
  });
});
