import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Combiner, Operator } from '../sdk/operator.js';
import { plain, recordingCollector, SourceStamper, testContext } from '../sdk/testing/index.js';
import { WindowCombiner } from './combiner.js';
import { windowDefinition } from './definition.js';
import { windowOperator } from './operator.js';
import { PARTIAL_COUNT } from './partial-row.js';

const TUMBLING = {
  type: 'tumbling',
  size: '10s',
  keyBy: ['k'],
  aggregates: [
    { as: 'n', op: 'count' },
    { as: 'total', op: 'sum', field: 'v' },
    { as: 'mean', op: 'avg', field: 'v' },
    { as: 'lo', op: 'min', field: 'v' },
    { as: 'hi', op: 'max', field: 'v' },
  ],
};

const parse = (config: Record<string, unknown>) => windowDefinition.config.parse(config);

function window(config: Record<string, unknown>) {
  const ctx = testContext({ config: parse(config), nodeId: 'w', connected: ['out', 'error'] });
  ctx.partialRows = true;
  return { op: windowOperator(ctx) as Operator, col: recordingCollector('w', (p) => p !== 'late') };
}

const at = (t: number, fields: Record<string, unknown>, ingest?: number, sw?: number): Event =>
  Object.freeze({
    ...fields,
    [EVENT_TIME]: t,
    ...(ingest === undefined ? {} : { [INGEST_TIME]: ingest }),
    ...(sw === undefined ? {} : { [SOURCE_WATERMARK]: sw }),
  }) as Event;

function combineAll(c: Combiner, events: readonly Event[]): Event[] {
  for (const e of events) if (!c.offer(e)) c.pass(e);
  return c.drain();
}

describe('window combiner', () => {
  it('the definition combines tumbling windows of count, min, max whose late port is not connected, and nothing else (not sum or avg)', () => {
    const combines = (config: Record<string, unknown>, connected: string[] = []) =>
      windowDefinition.combines!(parse(config), (p) => connected.includes(p));
    const countMinMax = {
      ...TUMBLING,
      aggregates: [
        { as: 'n', op: 'count' },
        { as: 'lo', op: 'min', field: 'v' },
        { as: 'hi', op: 'max', field: 'v' },
      ],
    };
    // min and max: a number slot and its time, and a string slot each.
    expect(combines(countMinMax)).toEqual(['\u0001n', '\u0001x0', '\u0001x1', '\u0001x2', '\u0001x3', '\u0001v0', '\u0001v1']);
    // A floating-point sum depends on how its additions group (docs/combiner.md).
    expect(combines(TUMBLING)).toBeUndefined();
    expect(combines({ ...TUMBLING, aggregates: [{ as: 'm', op: 'avg', field: 'v' }] })).toBeUndefined();
    expect(combines({ ...TUMBLING, aggregates: [{ as: 'n', op: 'count' }] })).toEqual(['\u0001n']);
    expect(combines(countMinMax, ['late'])).toBeUndefined();
    expect(combines(countMinMax, ['error'])).toBeDefined();
    expect(combines({ ...TUMBLING, type: 'sliding', slide: '5s' })).toBeUndefined();
    expect(combines({ type: 'session', gap: '5s', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] })).toBeUndefined();
    for (const op of ['count_distinct', 'first', 'last'])
      expect(
        combines({
          ...TUMBLING,
          aggregates: [
            { as: 'n', op: 'count' },
            { as: 'x', op, field: 'v' },
          ],
        }),
      ).toBeUndefined();
  });

  it('folds a batch into one partial row per key and window, in order of their first events', () => {
    const c = new WindowCombiner(parse({ ...TUMBLING, aggregates: [{ as: 'n', op: 'count' }] }));
    const rows = combineAll(c, [at(1000, { k: 'a' }, 5), at(2000, { k: 'b' }, 9), at(12000, { k: 'a' }, 7), at(3000, { k: 'a' }, 6)]);
    expect(rows.map((r) => [r.k, r[PARTIAL_COUNT], r[EVENT_TIME], r[INGEST_TIME]])).toEqual([
      ['a', 2, 1000, 6],
      ['b', 1, 2000, 9],
      ['a', 1, 12000, 7],
    ]);
    // Stateless across batches: the next drain starts empty.
    expect(combineAll(c, [])).toEqual([]);
    expect(combineAll(c, [at(4000, { k: 'a' })]).map((r) => r[PARTIAL_COUNT])).toEqual([1]);
  });

  it('a key spread over several batches: the window merges the partials into what the events make', () => {
    const batches = [
      [at(1000, { k: 'a', v: 4 }, 100), at(2000, { k: 'b', v: -3 }, 101), at(2500, { k: 'a', v: 10 }, 102)],
      [at(3000, { k: 'a', v: 1 }, 103), at(11000, { k: 'b', v: 7 }, 104)],
      [],
      [at(9999, { k: 'a', v: 5 }, 99), at(4000, { k: 'b' }, 105)],
    ];
    const combined = window(TUMBLING);
    const c = new WindowCombiner(parse(TUMBLING));
    let counted = 0;
    for (const b of batches) {
      const rows = combineAll(c, b);
      counted += combined.op.countIn!(rows);
      combined.op.process(rows, combined.col, 'in');
    }
    combined.op.onWatermark!(Number.POSITIVE_INFINITY, combined.col);
    // By hand: a in [0,10s): 4, 10, 1, 5; b in [0,10s): -3 and one event without v; b in [10s,20s): 7.
    expect(plain(combined.col.outputs.out)).toEqual([
      { k: 'a', window_start: 0, window_end: 10000, n: 4, total: 20, mean: 5, lo: 1, hi: 10 },
      { k: 'b', window_start: 0, window_end: 10000, n: 2, total: -3, mean: -3, lo: -3, hi: -3 },
      { k: 'b', window_start: 10000, window_end: 20000, n: 1, total: 7, mean: 7, lo: 7, hi: 7 },
    ]);
    // Ingest time: the latest the window had taken when it fired (105), as event by event.
    expect(combined.col.outputs.out!.map((o) => o[INGEST_TIME])).toEqual([105, 105, 105]);
    expect(counted).toBe(7);
    // And what the window makes of the events themselves.
    const direct = window(TUMBLING);
    for (const b of batches) direct.op.process(b, direct.col, 'in');
    direct.op.onWatermark!(Number.POSITIVE_INFINITY, direct.col);
    expect(plain(direct.col.outputs.out)).toEqual(plain(combined.col.outputs.out));
    expect(direct.col.outputs.out!.map((o) => o[INGEST_TIME])).toEqual([105, 105, 105]);
  });

  it('a partial row whose window was already emitted counts each of its events late', () => {
    const { op, col } = window(TUMBLING);
    const c = new WindowCombiner(parse(TUMBLING));
    op.onWatermark!(10000, col);
    op.process(
      combineAll(c, [at(1000, { k: 'a', v: 1 }), at(2000, { k: 'a', v: 2 }), at(3000, { k: 'a', v: 3 }), at(10500, { k: 'a', v: 9 })]),
      col,
      'in',
    );
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    expect(col.counters.late).toBe(3);
    expect(plain(col.outputs.out)).toEqual([{ k: 'a', window_start: 10000, window_end: 20000, n: 1, total: 9, mean: 9, lo: 9, hi: 9 }]);
  });

  it('sends on as they are, in their places, the events the window must decide about alone', () => {
    const c = new WindowCombiner(parse(TUMBLING));
    const text = at(1000, { k: 'a', v: 'x' });
    const fraction = at(1500, { k: 'a', v: 0.5 });
    const behind = at(2000, { k: 'a', v: 1 }, undefined, 10000);
    const noTime = at(Number.NaN, { k: 'a', v: 1 });
    const huge = at(2500, { k: 'b', v: 2 ** 53 + 2 });
    const rows = combineAll(c, [text, at(1200, { k: 'a', v: 2 }), fraction, behind, noTime, huge, at(3000, { k: 'a', v: 3 })]);
    expect(rows[0]).toBe(text);
    expect(rows[1]![PARTIAL_COUNT]).toBe(2);
    expect(rows.slice(2)).toEqual([fraction, behind, noTime, huge]);
    const { op, col } = window(TUMBLING);
    op.process(rows, col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    // By hand: 2 + 3 folded, 0.5 and 2^53 + 2 (of b: past what integer sums keep exact) taken one
    // by one; 'x' and NaN are errors, `behind` is late.
    expect(col.counters).toEqual({ errors: 2, late: 1, dropped: 0 });
    expect(plain(col.outputs.out)).toEqual([
      { k: 'a', window_start: 0, window_end: 10000, n: 3, total: 5.5, mean: 5.5 / 3, lo: 0.5, hi: 3 },
      { k: 'b', window_start: 0, window_end: 10000, n: 1, total: 2 ** 53 + 2, mean: 2 ** 53 + 2, lo: 2 ** 53 + 2, hi: 2 ** 53 + 2 },
    ]);
  });

  it('keeps min and max of strings and numbers apart, as the window does', () => {
    const config = {
      ...TUMBLING,
      aggregates: [
        { as: 'lo', op: 'min', field: 'v' },
        { as: 'hi', op: 'max', field: 'v' },
      ],
    };
    const c = new WindowCombiner(parse(config));
    const { op, col } = window(config);
    op.process(combineAll(c, [at(1, { k: 'a', v: 'pear' }), at(2, { k: 'a', v: 4 }), at(3, { k: 'a', v: 'apple' })]), col, 'in');
    op.process(combineAll(c, [at(4, { k: 'a', v: 'zebra' }), at(5, { k: 'a', v: -1 }), at(6, { k: 'a', v: null })]), col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    expect(plain(col.outputs.out)).toEqual([{ k: 'a', window_start: 0, window_end: 10000, lo: -1, hi: 'zebra' }]);
  });

  it('writes dotted and composite keys as the window does, so the window reads the same key', () => {
    const config = { ...TUMBLING, keyBy: ['user.country', 'sku'], aggregates: [{ as: 'n', op: 'count' }] };
    const c = new WindowCombiner(parse(config));
    const rows = combineAll(c, [
      at(1, { user: { country: 'FR', id: 1 }, sku: 1 }),
      at(2, { user: { country: 'FR', id: 2 }, sku: 1 }),
      at(3, { sku: '1' }),
    ]);
    expect(rows.map((r) => plain([r])[0])).toEqual([
      { user: { country: 'FR' }, sku: 1, '\u0001n': 2 },
      { user: { country: null }, sku: '1', '\u0001n': 1 },
    ]);
    const { op, col } = window(config);
    op.process(rows, col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    // Keys in state key order, as ever: the null country first.
    expect(plain(col.outputs.out)).toEqual([
      { user: { country: null }, sku: '1', window_start: 0, window_end: 10000, n: 1 },
      { user: { country: 'FR' }, sku: 1, window_start: 0, window_end: 10000, n: 2 },
    ]);
  });

  it('random streams: partial rows make the same results, counters and ingest times as the events, at batch sizes 1, 7 and 1000', () => {
    let seed = 7;
    const r = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const config = { ...TUMBLING, size: '2s', allowedLateness: '500ms' };
    for (let round = 0; round < 6; round++) {
      const stamper = new SourceStamper('ts', 700);
      let clock = 0;
      const events = Array.from({ length: 600 }, (_, i) => {
        clock += Math.floor(r() * 60);
        const ts = r() < 0.08 ? clock - 3000 : clock - Math.floor(r() * 700);
        const roll = r();
        // Integers mostly; nulls, fractions, text, a missing key now and then.
        const v =
          roll < 0.1
            ? null
            : roll < 0.15
              ? 0.25 * Math.floor(r() * 8)
              : roll < 0.18
                ? `s${Math.floor(r() * 5)}`
                : Math.floor(r() * 100) - 20;
        const raw: Record<string, unknown> = { ts, v, ...(r() < 0.05 ? {} : { k: `k${Math.floor(r() * 4)}` }) };
        return Object.freeze({ ...stamper.stamp(raw), [INGEST_TIME]: 1000 + i }) as Event;
      });
      // Text in sum is the event's error; min/max alone would take it: both configs, both ways.
      for (const aggregates of [
        config.aggregates,
        [
          { as: 'lo', op: 'min', field: 'v' },
          { as: 'hi', op: 'max', field: 'v' },
        ],
      ]) {
        const cfg = { ...config, aggregates };
        for (const size of [1, 7, 1000]) {
          const direct = window(cfg);
          const combined = window(cfg);
          const c = new WindowCombiner(parse(cfg));
          const st = new SourceStamper('ts', 700);
          let counted = 0;
          for (let i = 0; i < events.length; i += size) {
            const batch = events.slice(i, i + size);
            for (const e of batch) st.stamp({ ts: e.ts });
            direct.op.process(batch, direct.col, 'in');
            const rows = combineAll(c, batch);
            counted += combined.op.countIn!(rows);
            combined.op.process(rows, combined.col, 'in');
            for (const w of [direct, combined]) w.op.onWatermark!(st.watermark, w.col);
          }
          for (const w of [direct, combined]) w.op.onWatermark!(Number.POSITIVE_INFINITY, w.col);
          expect(counted).toBe(events.length);
          expect(plain(combined.col.outputs.out)).toEqual(plain(direct.col.outputs.out));
          expect(combined.col.outputs.out!.map((o) => o[INGEST_TIME])).toEqual(direct.col.outputs.out!.map((o) => o[INGEST_TIME]));
          expect(combined.col.counters).toEqual(direct.col.counters);
          expect(direct.col.counters.late).toBeGreaterThan(0);
        }
      }
    }
  });

  it('an input field named as the partial count is never read as a partial row', () => {
    const config = {
      ...TUMBLING,
      aggregates: [
        { as: 'n', op: 'count' },
        { as: 'total', op: 'sum', field: 'v' },
      ],
    };
    const forged = at(1000, { k: 'a', v: 1, '\u0001n': 1000 });
    const bad = at(2000, { k: 'a', v: 'x', '\u0001n': 1000 });
    // Through a combiner: folded as an event, or passed without the field (the window's error).
    const c = new WindowCombiner(parse(config));
    const rows = combineAll(c, [forged, bad]);
    expect(rows[0]![PARTIAL_COUNT]).toBe(1);
    expect(PARTIAL_COUNT in rows[1]!).toBe(false);
    expect(plain([rows[1]!])).toEqual([{ k: 'a', v: 'x' }]);
    // A window whose input does not come through a combiner reads every input as an event.
    const ctx = testContext({ config: parse(config), nodeId: 'w', connected: ['out'] });
    const op = windowOperator(ctx) as Operator;
    const col = recordingCollector('w', () => true);
    op.process([forged], col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    expect(op.countIn!([forged])).toBe(1);
    expect(plain(col.outputs.out)).toEqual([{ k: 'a', window_start: 0, window_end: 10000, n: 1, total: 1 }]);
  });
});
