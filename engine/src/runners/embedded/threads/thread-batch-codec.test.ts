import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { COLUMNAR, DICTIONARY_LIMIT, ReceiveDictionary, SendDictionary } from './columnar-batch.js';
import { decodeBatch, encodeBatch } from './thread-batch-codec.js';

function ev(fields: Record<string, unknown>, time: number, ingest?: number, behind?: number): Event {
  const e = { ...fields } as Record<string | symbol, unknown>;
  e[EVENT_TIME] = time;
  if (ingest !== undefined) e[INGEST_TIME] = ingest;
  if (behind !== undefined) e[SOURCE_WATERMARK] = behind;
  return e as Event;
}

/** Fields and the three stamps, as a plain comparable value. */
function seen(events: Event[]) {
  return events.map((e) => ({
    fields: Object.fromEntries(Object.entries(e)),
    keys: Object.keys(e),
    t: e[EVENT_TIME],
    i: e[INGEST_TIME],
    w: e[SOURCE_WATERMARK],
  }));
}

const codecOf = (buf: ArrayBuffer) => (new Uint8Array(buf)[0] === COLUMNAR ? 'columnar' : 'serialized');

describe('batches between partition threads', () => {
  it('carry flat events of one shape as columns, values, key order and stamps exactly', () => {
    const events = [
      ev({ campaign: 'c1', n: 1.5, ok: true, note: null, id: 'u-1' }, 1000, 5, 900),
      ev({ campaign: 'c1', n: -2, ok: false, note: 'x', id: 'u-2' }, 1001),
      ev({ campaign: 'c2', n: 1e300, ok: true, note: 3, id: 'u-3' }, 1002, 7),
    ];
    const buf = encodeBatch(events);
    expect(codecOf(buf)).toBe('columnar');
    expect(seen(decodeBatch(buf))).toEqual(seen(events));
  });

  it('keep numbers JSON cannot (NaN, -0, Infinity) exact in a number column', () => {
    const events = [ev({ v: Number.NaN }, 1), ev({ v: -0 }, 2), ev({ v: Number.POSITIVE_INFINITY }, 3)];
    const out = decodeBatch(encodeBatch(events));
    expect(out.map((e) => e.v)).toEqual([Number.NaN, -0, Number.POSITIVE_INFINITY]);
    expect(Object.is(out[1]!.v, -0)).toBe(true);
  });

  it('fall back to the serializer for nested values, differing shapes and -0 among mixed values, losing nothing', () => {
    for (const events of [
      [ev({ a: { b: [1, 2] } }, 1)],
      [ev({ a: 1, b: 2 }, 1), ev({ b: 2, a: 1 }, 2)],
      [ev({ a: 1 }, 1), ev({ a: 1, b: 2 }, 2)],
      [ev({ a: 'x' }, 1), ev({ a: -0 }, 2)],
    ]) {
      const buf = encodeBatch(events);
      expect(codecOf(buf)).toBe('serialized');
      const out = decodeBatch(buf);
      expect(seen(out)).toEqual(seen(events));
    }
  });

  it('send only the fields the receiving stage reads, with the stamps', () => {
    const events = [ev({ user: 'u1', campaign: 'c1', views: 1 }, 10, 3, 9), ev({ user: 'u2', campaign: 'c2', views: 2 }, 11)];
    const out = decodeBatch(encodeBatch(events, ['campaign']));
    expect(seen(out)).toEqual([
      { fields: { campaign: 'c1' }, keys: ['campaign'], t: 10, i: 3, w: 9 },
      { fields: { campaign: 'c2' }, keys: ['campaign'], t: 11, i: undefined, w: undefined },
    ]);
    // A field missing from an event stays missing (not null) when projected.
    const partial = decodeBatch(encodeBatch([ev({ campaign: 'c1' }, 1), ev({ other: 1 }, 2)], ['campaign']));
    expect(partial.map((e) => Object.keys(e))).toEqual([['campaign'], []]);
  });

  it('send a repeated string once per link, then as its number, batch after batch', () => {
    const send = new SendDictionary();
    const receive = new ReceiveDictionary();
    const campaigns = ['c1', 'c2', 'c3'];
    const batch = (from: number) => Array.from({ length: 30 }, (_, i) => ev({ campaign: campaigns[(from + i) % 3]!, n: i }, from + i));
    const first = batch(0);
    const firstBuf = encodeBatch(first, ['campaign'], send);
    const second = batch(7);
    const secondBuf = encodeBatch(second, ['campaign'], send);
    // The second batch carries no campaign text: all three went with the first.
    expect(new TextDecoder().decode(secondBuf)).not.toContain('c2');
    expect(seen(decodeBatch(firstBuf, receive)).map((e) => e.fields)).toEqual(first.map((e) => ({ campaign: e.campaign })));
    expect(seen(decodeBatch(secondBuf, receive)).map((e) => e.fields)).toEqual(second.map((e) => ({ campaign: e.campaign })));
    expect(receive.strings).toEqual(['c1', 'c2', 'c3']);
    // The column names crossed once too.
    expect(new TextDecoder().decode(secondBuf)).not.toContain('campaign');
  });

  it('take back the new entries of a batch that falls back to the serializer, so the two halves stay in step', () => {
    const send = new SendDictionary();
    const receive = new ReceiveDictionary();
    // A nested value after the key column: the columnar encoder gives up after interning 'k1'.
    const nested = encodeBatch([ev({ key: 'k1', deep: { a: 1 } }, 1), ev({ key: 'k1', deep: { a: 2 } }, 2)], undefined, send);
    expect(codecOf(nested)).toBe('serialized');
    const flat = [ev({ key: 'k2' }, 3), ev({ key: 'k1' }, 4)];
    const flatBuf = encodeBatch(flat, undefined, send);
    expect(seen(decodeBatch(nested, receive)).map((e) => e.fields)).toEqual([
      { key: 'k1', deep: { a: 1 } },
      { key: 'k1', deep: { a: 2 } },
    ]);
    expect(seen(decodeBatch(flatBuf, receive))).toEqual(seen(flat));
  });

  it('stop growing a link dictionary at its limit and for a column of values that do not repeat', () => {
    const send = new SendDictionary();
    const receive = new ReceiveDictionary();
    for (let b = 0; b < 3; b++) {
      // Ids unique per event: after its trial the column goes in each batch's own table.
      const events = Array.from({ length: 1000 }, (_, i) => ev({ id: `u-${b}-${i}` }, i));
      expect(seen(decodeBatch(encodeBatch(events, undefined, send), receive))).toEqual(seen(events));
    }
    expect(receive.strings.length).toBeLessThanOrEqual(2000);
    expect(send.ids.size).toBe(receive.strings.length);
    expect(DICTIONARY_LIMIT).toBeGreaterThan(1000);
  });
});
