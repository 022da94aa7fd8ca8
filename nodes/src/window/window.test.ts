import { EVENT_TIME, type Event, fieldReader, INGEST_TIME } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, plain, recordingCollector, testContext } from '../sdk/testing/index.js';
import { latestStart, windowStarts } from './assigners.js';
import { windowDefinition } from './definition.js';
import { fieldWriter } from './field-writer.js';
import { FireIndex } from './fire-index.js';
import { keyFunction } from '../sdk/state-key.js';
import { WindowOperator, windowOperator } from './operator.js';
import { MemoryStateRegistry } from '../sdk/state.js';

describeGoldenCases('window', new URL('./cases', import.meta.url));

function window(config: Record<string, unknown>, connected?: string[]) {
  const ctx = testContext({ config: windowDefinition.config.parse(config), nodeId: 'w', connected });
  return { op: windowOperator(ctx) as Operator, ctx, col: recordingCollector('w', (p) => connected?.includes(p) ?? true) };
}

const at = (t: number, fields: Record<string, unknown> = {}, ingest?: number): Event =>
  Object.freeze({ ...fields, [EVENT_TIME]: t, ...(ingest === undefined ? {} : { [INGEST_TIME]: ingest }) }) as Event;

describe('window operator', () => {
  it('stamps each output with event time window_end - 1 and the latest ingest time the window had taken when it fired', () => {
    const { op, col } = window({ type: 'tumbling', size: '10s', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] });
    op.process([at(1000, { k: 'a' }, 50), at(2000, { k: 'a' }, 70), at(3000, { k: 'a' }, 60), at(4000, { k: 'b' })], col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    const [a, b] = col.outputs.out!;
    expect(plain([a!, b!])).toEqual([
      { k: 'a', window_start: 0, window_end: 10000, n: 3 },
      { k: 'b', window_start: 0, window_end: 10000, n: 1 },
    ]);
    expect(a![EVENT_TIME]).toBe(9999);
    // Its result could not be complete before the window had taken the latest of its inputs
    // (ingested at 70): latency counts from then, not from b's own (none) or a's last event.
    expect(a![INGEST_TIME]).toBe(70);
    expect(b![INGEST_TIME]).toBe(70);
  });

  it('chains: windows of windows give the same counts as one larger window', () => {
    const small = window({ type: 'tumbling', size: '10s', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] });
    const big = window({ type: 'tumbling', size: '1m', keyBy: ['k'], aggregates: [{ as: 'n', op: 'sum', field: 'n' }] });
    const direct = window({ type: 'tumbling', size: '1m', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] });
    const events = Array.from({ length: 500 }, (_, i) => at(i * 397, { k: `k${i % 3}` }));
    for (const { op, col } of [small, direct]) {
      op.process(events, col, 'in');
      op.onWatermark!(Number.POSITIVE_INFINITY, col);
    }
    big.op.process(small.col.outputs.out!, big.col, 'in');
    big.op.onWatermark!(Number.POSITIVE_INFINITY, big.col);
    expect(plain(big.col.outputs.out)).toEqual(plain(direct.col.outputs.out));
  });

  it('emits nothing until the watermark reaches window_end + allowedLateness, then each window once', () => {
    const { op, col } = window({ type: 'tumbling', size: '10s', allowedLateness: '2s', aggregates: [{ as: 'n', op: 'count' }] });
    op.process([at(1000), at(12000)], col, 'in');
    op.onWatermark!(11999, col);
    expect(col.outputs.out).toBeUndefined();
    op.onWatermark!(12000, col);
    expect(plain(col.outputs.out)).toEqual([{ window_start: 0, window_end: 10000, n: 1 }]);
    op.onWatermark!(12000, col);
    op.onWatermark!(5000, col);
    op.process([at(9000)], col, 'in');
    expect(col.counters.late).toBe(1);
    expect(col.outputs.out).toHaveLength(1);
  });

  it('makes an event with no finite event time an error of the node', () => {
    const { op, col } = window({ type: 'tumbling', size: '10s', aggregates: [{ as: 'n', op: 'count' }] });
    op.process([at(Number.NaN), at(1)], col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    expect(col.counters.errors).toBe(1);
    expect(plain(col.outputs.error)).toEqual([
      { _error: { node: 'w', message: 'event time NaN is not a finite number', code: 'window-bad-time' } },
    ]);
    expect(plain(col.outputs.out)).toEqual([{ window_start: 0, window_end: 10000, n: 1 }]);
  });

  it('rejects values min/max cannot order and keeps own fields named like Object.prototype members', () => {
    const { op, col } = window({
      type: 'tumbling',
      size: '10s',
      keyBy: ['constructor'],
      aggregates: [
        { as: '__proto__', op: 'count_distinct', field: 'v' },
        { as: 'hi', op: 'max', field: 'v' },
      ],
    });
    op.process([at(1, { v: '__proto__' }), at(2, { v: 'toString' }), at(3, { v: true }), at(4, { v: { a: 1 } })], col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    expect(col.counters.errors).toBe(2);
    expect(plain(col.outputs.error).map((e) => (e._error as { message: string }).message)).toEqual([
      'hi: max needs numbers or strings, got boolean true',
      'hi: max needs numbers or strings, got object {"a":1}',
    ]);
    const out = col.outputs.out![0]!;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(plain([out])).toEqual([{ constructor: null, window_start: 0, window_end: 10000, ['__proto__']: 2, hi: 'toString' }]);
    expect(({} as Record<string, unknown>).hi).toBeUndefined();
  });
});

describe('window robustness', () => {
  it('sends an event whose key cannot be written (nested 100,000 deep) to the error port and goes on', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const op = windowOperator(
      testContext({
        config: windowDefinition.config.parse({ type: 'tumbling', size: '10s', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] }),
      }),
    ) as Operator;
    const col = recordingCollector('w', () => true);
    const at = (t: number, k: unknown) => ({ k, [EVENT_TIME]: t }) as Event;
    op.process([at(1, 'a'), at(2, deep), at(3, 'a')], col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    // in 3: 2 placed in one window (n 2), 1 error.
    expect(plain(col.outputs.out)).toEqual([{ k: 'a', window_start: 0, window_end: 10000, n: 2 }]);
    expect(col.counters.errors).toBe(1);
    expect(col.outputs.error![0]!._error).toEqual({ node: 'w', message: 'Maximum call stack size exceeded', code: 'event-too-large' });
  });
});

describe('window numbers', () => {
  it("makes a NaN or Infinity value (from an expression upstream) the event's error, so no window holds it", () => {
    const op = windowOperator(
      testContext({
        config: windowDefinition.config.parse({
          type: 'tumbling',
          size: '10s',
          aggregates: [
            { as: 'total', op: 'sum', field: 'v' },
            { as: 'n', op: 'count' },
          ],
        }),
      }),
    ) as Operator;
    const col = recordingCollector('w', () => true);
    const at = (t: number, v: number) => ({ v, [EVENT_TIME]: t }) as Event;
    op.process([at(1, 2), at(2, Number.NaN), at(3, Number.POSITIVE_INFINITY), at(4, 3)], col, 'in');
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    // in 4: 2 aggregated (total 5, n 2), 2 errors.
    expect(plain(col.outputs.out)).toEqual([{ window_start: 0, window_end: 10000, total: 5, n: 2 }]);
    expect(col.outputs.error!.map((e) => (e._error as { message: string }).message)).toEqual([
      'total: sum needs finite numbers, got NaN',
      'total: sum needs finite numbers, got Infinity',
    ]);
  });
});

describe('window state', () => {
  const configs: Record<string, unknown>[] = [
    {
      type: 'sliding',
      size: '10s',
      slide: '5s',
      keyBy: ['k'],
      aggregates: [
        { as: 'n', op: 'count' },
        { as: 'kinds', op: 'count_distinct', field: 'c' },
        { as: 'first_c', op: 'first', field: 'c' },
      ],
    },
    {
      type: 'session',
      gap: '2s',
      allowedLateness: '1s',
      keyBy: ['k'],
      aggregates: [
        { as: 'n', op: 'count' },
        { as: 's', op: 'sum', field: 'v' },
        { as: 'lo', op: 'min', field: 'c' },
        { as: 'last_v', op: 'last', field: 'v' },
      ],
    },
    {
      type: 'tumbling',
      size: '3s',
      keyBy: ['k', 'c'],
      aggregates: [
        { as: 'mean', op: 'avg', field: 'v' },
        { as: 'hi', op: 'max', field: 'v' },
      ],
    },
  ];

  /** Deterministic disorder: every third event 1.5 s in the past, every 17th 9 s (late). */
  const events = (n: number): Event[] =>
    Array.from({ length: n }, (_, i) =>
      at(i * 700 - (i % 3 === 0 ? 1500 : 0) - (i % 17 === 0 ? 9000 : 0), { k: `k${i % 4}`, c: `c${i % 5}`, v: i % 11 }, i),
    );

  /** Events [from, to) of `list`, one per batch, each followed by the watermark (max time - 2 s). */
  function feed(op: Operator, col: ReturnType<typeof recordingCollector>, list: Event[], from = 0, to = list.length): void {
    let maxT = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < to; i++) {
      maxT = Math.max(maxT, list[i]![EVENT_TIME]!);
      if (i < from) continue;
      op.process([list[i]!], col, 'in');
      op.onWatermark?.(maxT - 2000, col);
    }
  }

  for (const config of configs) {
    it(`a ${config.type} window restored from a snapshot mid-stream gives the same output as an uninterrupted run`, () => {
      const all = events(300);
      const whole = window(config);
      feed(whole.op, whole.col, all);
      whole.op.onWatermark!(Number.POSITIVE_INFINITY, whole.col);
      expect(whole.col.outputs.out!.length).toBeGreaterThan(50);
      expect(whole.col.counters.late).toBeGreaterThan(0);

      for (const cut of [0, 1, 117, 250]) {
        const first = window(config);
        feed(first.op, first.col, all, 0, cut);
        // Through JSON, as the BullMQ runner stores it.
        const snapshot = JSON.parse(JSON.stringify(first.ctx.stateRegistry.snapshot()));
        const second = window(config);
        second.ctx.stateRegistry.restore(snapshot);
        second.op.onRestore!();
        second.col.outputs.out = first.col.outputs.out ?? [];
        second.col.counters.late = first.col.counters.late;
        feed(second.op, second.col, all, cut);
        second.op.onWatermark!(Number.POSITIVE_INFINITY, second.col);
        expect(plain(second.col.outputs.out), `cut at ${cut}`).toEqual(plain(whole.col.outputs.out));
        expect(second.col.outputs.out!.map((e) => e[INGEST_TIME])).toEqual(whole.col.outputs.out!.map((e) => e[INGEST_TIME]));
        expect(second.col.counters.late, `cut at ${cut}`).toBe(whole.col.counters.late);
      }
    });
  }

  it('declares its state as plain data and keeps none for windows already emitted', () => {
    const { op, col, ctx } = window(configs[1]!);
    feed(op, col, events(40));
    const snap = ctx.stateRegistry.snapshot();
    expect(Object.keys(snap).sort()).toEqual(['layout', 'watermark', 'windows']);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    expect(ctx.stateRegistry.snapshot().windows).toEqual({ kind: 'keyed', entries: [] });
  });

  it('tells a tracked store (BullMQ commits) every key whose windows fired, whether some or all keys close at once', () => {
    const reg = new MemoryStateRegistry({ track: true });
    const config = windowDefinition.config.parse({ type: 'tumbling', size: '10ms', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] });
    const op = new WindowOperator(config, reg);
    const col = recordingCollector('w', () => true);
    op.process([at(1, { k: 'a' }), at(2, { k: 'b' }), at(12, { k: 'a' })], col);
    reg.markClean();
    // Some keys close: [0, 10) of a and b; a keeps [10, 20).
    op.onWatermark!(10, col);
    expect(plain(col.outputs.out)).toEqual([
      { k: 'a', window_start: 0, window_end: 10, n: 1 },
      { k: 'b', window_start: 0, window_end: 10, n: 1 },
    ]);
    expect(reg.keyedChanges().windows!.deleted).toEqual(['b']);
    expect(reg.keyedChanges().windows!.set.map(([k]) => k)).toEqual(['a']);
    reg.markClean();
    // Every key closes: the store is emptied at once, and says which keys went.
    op.onWatermark!(20, col);
    expect(reg.keyedChanges()).toEqual({ windows: { set: [], deleted: ['a'] } });
    expect(reg.snapshot().windows).toEqual({ kind: 'keyed', entries: [] });
  });

  it('refuses to restore state written under another layout instead of misreading it', () => {
    const { op, col, ctx } = window(configs[1]!);
    feed(op, col, events(40));
    const other = window({ ...configs[1]!, aggregates: [{ as: 'n', op: 'count' }] });
    other.ctx.stateRegistry.restore(ctx.stateRegistry.snapshot());
    expect(() => other.op.onRestore!()).toThrow(
      'window state was written for session|["k"]|count,sum,min,last, this node is session|["k"]|count',
    );
  });
});

describe('window building blocks', () => {
  it('assigns fixed windows aligned to the epoch, negative times included', () => {
    expect(latestStart(-1, 10)).toBe(-10);
    expect(latestStart(-10, 10)).toBe(-10);
    expect(latestStart(10, 10)).toBe(10);
    expect(latestStart(1_767_225_609_999, 10_000)).toBe(1_767_225_600_000);
    expect(windowStarts(9, 10, 3)).toEqual([9, 6, 3, 0]);
    expect(windowStarts(7, 10, 3)).toEqual([6, 3, 0]);
    expect(windowStarts(-7, 15, 5)).toEqual([-10, -15, -20]);
    expect(windowStarts(3, 2, 5)).toEqual([]);
  });

  it('keys: strings as themselves, 1 and "1" apart, no collisions through the tag or the separator', () => {
    const one = keyFunction(['a']);
    expect(one({ a: 'x' })).toBe('x');
    expect(one({ a: 1 })).not.toBe(one({ a: '1' }));
    expect(one({ a: '\u00011' })).not.toBe(one({ a: 1 }));
    expect(one({})).toBe(one({ a: null }));
    const two = keyFunction(['a', 'b.c']);
    expect(two({ a: 'x\u0000y', b: { c: 'z' } })).not.toBe(two({ a: 'x', b: { c: 'y\u0000z' } }));
    expect(two({ a: 'x', b: { c: 'y' } })).toBe(two({ a: 'x', b: { c: 'y' } }));
    expect(two({ a: 'x', b: { c: 2 } })).not.toBe(two({ a: 'x', b: { c: '2' } }));
    expect(keyFunction([])({ a: 1 })).toBe('');
  });

  it('reads only own fields and writes dotted names nested without touching prototypes', () => {
    expect(fieldReader('constructor')({})).toBeNull();
    expect(fieldReader('a.toString')({ a: {} })).toBeNull();
    expect(fieldReader('a.b.c')({ a: { b: { c: 0 } } })).toBe(0);
    expect(fieldReader('a.b')({ a: 'text' })).toBeNull();
    const o: Record<string, unknown> = {};
    fieldWriter('user.country')(o, 'FR');
    fieldWriter('user.city')(o, 'Lyon');
    fieldWriter('__proto__.polluted')(o, true);
    expect(JSON.parse(JSON.stringify(o))).toEqual({ user: { country: 'FR', city: 'Lyon' }, ['__proto__']: { polluted: true } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fire index: returns due keys by fire time, earliest first, in any insertion order, and knows the next time', () => {
    const index = new FireIndex<number>();
    const times = Array.from({ length: 200 }, (_, i) => (i * 7919) % 101);
    for (let i = 0; i < times.length; i++) index.add(times[i]!, `k${i % 5}`, i);
    expect(index.size).toBe(200);
    expect(index.next()).toBe(0);
    expect(index.takeDue(-1)).toEqual([]);
    const due = index.takeDue(50);
    expect(due.map((b) => b.time)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    // Every entry at or before 50 comes out once, with its key and value, in the order it was added.
    const expected = times.flatMap((t, i) => (t <= 50 ? [[t, `k${i % 5}`, i] as const] : []));
    expect(due.flatMap((b) => b.keys.map((k, j) => [b.time, k, b.entries[j]] as const)).sort((a, b) => a[0] - b[0])).toEqual(
      [...expected].sort((a, b) => a[0] - b[0]),
    );
    expect(index.size).toBe(200 - expected.length);
    expect(index.next()).toBe(51);
    index.add(7, 'late', -1);
    expect(index.takeDue(10)).toEqual([{ time: 7, keys: ['late'], entries: [-1] }]);
    index.takeDue(100);
    expect(index.next()).toBe(Number.POSITIVE_INFINITY);
    expect(index.size).toBe(0);
  });
});

describe('window definition', () => {
  const problems = (c: Record<string, unknown>) =>
    windowDefinition.check!(windowDefinition.config.parse(c)).map((p) => `${p.severity ?? 'error'} ${p.path}: ${p.message}`);
  const count = [{ as: 'n', op: 'count' }];

  it('names what a window type is missing, and what an aggregate needs', () => {
    expect(problems({ type: 'tumbling', aggregates: count })).toEqual(['error config.size: a tumbling window needs a size']);
    expect(problems({ type: 'sliding', size: '1m', aggregates: count })).toEqual(['error config.slide: a sliding window needs a slide']);
    expect(problems({ type: 'session', aggregates: [{ as: 's', op: 'sum' }] })).toEqual([
      'error config.gap: a session window needs a gap',
      'error config.aggregates[0].field: sum needs a field',
    ]);
    expect(problems({ type: 'tumbling', size: 0, aggregates: count })).toEqual(['error config.size: size must be longer than 0']);
    expect(
      problems({
        type: 'tumbling',
        size: '1m',
        aggregates: [
          { as: 'n', op: 'count' },
          { as: 'm', op: 'max' },
        ],
      }),
    ).toEqual(['error config.aggregates[1].field: max needs a field']);
  });

  it('refuses output names used twice, keys listed twice; warns about ignored settings', () => {
    expect(problems({ type: 'tumbling', size: '1m', keyBy: ['n'], aggregates: count })).toEqual([
      'error config.aggregates[0].as: "n" is already an output field',
    ]);
    expect(
      problems({
        type: 'tumbling',
        size: '1m',
        keyBy: ['user.id'],
        aggregates: [
          { as: 'user', op: 'count' },
          { as: 'window_end', op: 'count' },
        ],
      }),
    ).toEqual([
      'error config.aggregates[0].as: "user" is already an output field',
      'error config.aggregates[1].as: "window_end" is already an output field',
    ]);
    expect(problems({ type: 'tumbling', size: '1m', aggregates: [...count, { as: 'n', op: 'sum', field: 'v' }] })).toEqual([
      'error config.aggregates[1].as: "n" is already an output field',
    ]);
    expect(problems({ type: 'tumbling', size: '1m', keyBy: ['a', 'a'], aggregates: count })).toEqual([
      'error config.keyBy[1]: "a" is listed twice',
    ]);
    expect(problems({ type: 'sliding', size: '1m', slide: '2m', aggregates: count })).toEqual([
      'warning config.slide: slide (2m) is longer than size (1m): events between two windows are in none (counted as dropped)',
    ]);
    expect(problems({ type: 'session', gap: '1m', size: '1m', aggregates: [{ as: 'n', op: 'count', field: 'x' }] })).toEqual([
      'warning config.size: a session window has no size; it is ignored',
      'warning config.aggregates[0].field: count counts every event; the field is ignored',
    ]);
    expect(problems(windowDefinition.example as never)).toEqual([]);
  });

  it('refuses a config whose work per event or per key passes the documented limits (docs/windows.md)', () => {
    // 1d / 1ms = 86,400,000 windows per event; the limit is 10,000 (GRAPH_FORMAT.md).
    expect(problems({ type: 'sliding', size: '1d', slide: '1ms', aggregates: count })).toEqual([
      'error config.slide: a 1d window sliding every 1ms puts each event in 86,400,000 windows; the limit is 10,000',
    ]);
    // 10s / 1ms = 10,000 windows per event: at the limit, allowed; 10001ms / 1ms = 10,001 is one too many,
    // and so is a slide that does not divide: ceil(10s / 3s) = 4 is fine, 10s / 0.9ms = 11,112 is not.
    expect(problems({ type: 'sliding', size: '10s', slide: '1ms', aggregates: count })).toEqual([]);
    expect(problems({ type: 'sliding', size: 10001, slide: 1, aggregates: count })).toEqual([
      'error config.slide: a 10001ms window sliding every 1ms puts each event in 10,001 windows; the limit is 10,000',
    ]);
    expect(problems({ type: 'sliding', size: '10s', slide: '3s', aggregates: count })).toEqual([]);
    expect(problems({ type: 'sliding', size: '10s', slide: 0.9, aggregates: count })).toEqual([
      'error config.slide: a 10s window sliding every 0.9ms puts each event in 11,112 windows; the limit is 10,000',
    ]);
    // Open windows per key: (1ms + 1d) / 1ms = 86,400,001 tumbling windows, each with a timer.
    expect(problems({ type: 'tumbling', size: '1ms', allowedLateness: '1d', aggregates: count })).toEqual([
      'error config.allowedLateness: a 1ms window with allowedLateness 1d lets one key hold 86,400,001 open windows; the limit is 100,000',
    ]);
    // (1s + 1d) / 1s = 86,401: allowed. Sessions: (1ms + 1m) / 1ms = 60,001 allowed, (1ms + 1h) / 1ms = 3,600,001 not.
    expect(problems({ type: 'tumbling', size: '1s', allowedLateness: '1d', aggregates: count })).toEqual([]);
    expect(problems({ type: 'session', gap: '1ms', allowedLateness: '1m', aggregates: count })).toEqual([]);
    expect(problems({ type: 'session', gap: '1ms', allowedLateness: '1h', aggregates: count })).toEqual([
      'error config.allowedLateness: a session gap of 1ms with allowedLateness 1h lets one key hold 3,600,001 open sessions; the limit is 100,000',
    ]);
  });

  it('refuses a duration that does not parse, with the contract message, and applies defaults', () => {
    const r = windowDefinition.config.safeParse({ type: 'tumbling', size: '10 sec', aggregates: count });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe('"10 sec" is not a duration (use 250ms, 10s, 5m, 1h)');
    expect(windowDefinition.config.parse({ type: 'tumbling', size: 1000, aggregates: count })).toMatchObject({
      keyBy: [],
      allowedLateness: '0s',
    });
    expect(windowDefinition.config.safeParse({ type: 'hopping', size: '1s', aggregates: count }).success).toBe(false);
    expect(windowDefinition.config.safeParse({ type: 'tumbling', size: '1s', aggregates: [] }).success).toBe(false);
    expect(
      windowDefinition.config.safeParse({ type: 'tumbling', size: '1s', aggregates: [{ as: 'n', op: 'median', field: 'v' }] }).success,
    ).toBe(false);
  });

  it('has ports in -> out, late, error; keys by keyBy; infers the output schema', () => {
    const c = windowDefinition.config.parse({
      type: 'tumbling',
      size: '1m',
      keyBy: ['sku', 'user.country'],
      aggregates: [
        { as: 'n', op: 'count' },
        { as: 'top', op: 'max', field: 'price' },
        { as: 'avg_q', op: 'avg', field: 'q' },
        { as: 'who', op: 'first', field: 'name' },
      ],
    });
    expect(windowDefinition.inputs.map((p) => p.name)).toEqual(['in']);
    expect(windowDefinition.outputs(c).map((p) => p.name)).toEqual(['out', 'late', 'error']);
    expect(windowDefinition.keyBy!(c)).toEqual(['sku', 'user.country']);
    const input = {
      fields: { sku: 'string', price: 'number', q: 'number', 'user.country': 'string', user: 'object' },
      open: false,
    } as const;
    const s = windowDefinition.inferSchema!(c, { inputs: { in: input } });
    expect(s.out).toEqual({
      fields: {
        sku: 'string',
        user: 'object',
        'user.country': 'string',
        window_start: 'number',
        window_end: 'number',
        n: 'number',
        top: 'number',
        avg_q: 'number',
        who: 'any',
      },
      open: false,
    });
    expect(s.late).toBe(input);
    expect(s.error!.fields._error).toBe('object');
    expect(windowDefinition.inferSchema!(c, { inputs: {} }).out!.fields.sku).toBe('any');
  });
});
