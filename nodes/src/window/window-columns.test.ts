import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { plain, recordingCollector, testContext } from '../sdk/testing/index.js';
import { MemoryStateRegistry } from '../sdk/state.js';
import { windowDefinition } from './definition.js';
import { WindowOperator } from './operator.js';

const at = (t: number, fields: Record<string, unknown> = {}): Event => Object.freeze({ ...fields, [EVENT_TIME]: t }) as Event;
const count = [{ as: 'n', op: 'count' }];

function tumbling(registry = new MemoryStateRegistry(), aggregates: unknown[] = count) {
  const config = windowDefinition.config.parse({ type: 'tumbling', size: '10ms', keyBy: ['k'], aggregates });
  return { op: new WindowOperator(config, registry), col: recordingCollector('w', () => true), registry };
}

describe('window state in columns (tumbling and sliding)', () => {
  it('keeps a number key apart from the same digits as a string, and orders results by state key as before', () => {
    const { op, col } = tumbling();
    op.process([at(1, { k: 2 }), at(2, { k: '1' }), at(3, { k: 10 }), at(4, { k: 1 }), at(5, { k: 1 }), at(6, { k: null })], col);
    op.onWatermark(10, col);
    // State keys: numbers and null are tagged JSON ("\u00011", "\u000110", "\u00012", "\u0001null"), strings as they are.
    expect(plain(col.outputs.out)).toEqual([
      { k: 1, window_start: 0, window_end: 10, n: 2 },
      { k: 10, window_start: 0, window_end: 10, n: 1 },
      { k: 2, window_start: 0, window_end: 10, n: 1 },
      { k: null, window_start: 0, window_end: 10, n: 1 },
      { k: '1', window_start: 0, window_end: 10, n: 1 },
    ]);
  });

  it('snapshots number keys under their tagged state key, and a restored key takes new events into the same window', () => {
    const first = tumbling(undefined, [
      { as: 'n', op: 'count' },
      { as: 'total', op: 'sum', field: 'v' },
      { as: 'last', op: 'last', field: 'v' },
    ]);
    first.op.process([at(1, { k: 7, v: 2 }), at(2, { k: 'x', v: 3 })], first.col);
    const snap = JSON.parse(JSON.stringify(first.registry.snapshot()));
    expect(snap.windows.entries).toEqual([
      ['\u00017', { k: [7], w: [{ s: 0, e: 10, n: 1, i: 0, x: [2, 1, 1], v: [2] }] }],
      ['x', { k: ['x'], w: [{ s: 0, e: 10, n: 1, i: 0, x: [3, 1, 2], v: [3] }] }],
    ]);
    const second = tumbling(undefined, [
      { as: 'n', op: 'count' },
      { as: 'total', op: 'sum', field: 'v' },
      { as: 'last', op: 'last', field: 'v' },
    ]);
    second.registry.restore(snap);
    second.op.onRestore();
    second.op.process([at(3, { k: 7, v: 5 })], second.col);
    second.op.onWatermark(10, second.col);
    expect(plain(second.col.outputs.out)).toEqual([
      { k: 7, window_start: 0, window_end: 10, n: 2, total: 7, last: 5 },
      { k: 'x', window_start: 0, window_end: 10, n: 1, total: 3, last: 3 },
    ]);
  });

  it('keeps keys interned for their next window, and frees keys idle for a whole generation', () => {
    const { op, col } = tumbling();
    // Windows 0-3 of 10 ms: keys 0-2999, 3000-5999, 6000-8999, then 0-2999 again.
    const firstKey = [0, 3000, 6000, 0];
    let emitted = 0;
    const interned: number[] = [];
    for (let w = 0; w < 4; w++) {
      op.process(
        Array.from({ length: 3000 }, (_, i) => at(w * 10 + (i % 10), { k: firstKey[w]! + i })),
        col,
      );
      op.onWatermark((w + 1) * 10, col);
      const out = col.outputs.out!.slice(emitted);
      emitted += out.length;
      expect(out.length).toBe(3000);
      expect(out.every((o) => o.n === 1 && o.window_start === w * 10)).toBe(true);
      interned.push((op as WindowOperator).internedKeys);
    }
    // After window 0 its keys stay; after window 1 the keys of window 0 (idle a generation) go.
    expect(interned).toEqual([3000, 3000, 3000, 3000]);
  });

  it('fires a later window of returning keys in state key order (kept ranks), a few keys or all', () => {
    const { op, col } = tumbling();
    op.process(
      Array.from({ length: 100 }, (_, i) => at(i % 10, { k: 99 - i })),
      col,
    );
    op.onWatermark(10, col);
    expect(col.outputs.out!.slice(0, 12).map((o) => o.k)).toEqual([0, 1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    // Window 1: five of the hundred keys, no new one.
    op.process(
      [42, 7, 99, 13, 5].map((k, i) => at(10 + i, { k })),
      col,
    );
    op.onWatermark(20, col);
    expect(col.outputs.out!.slice(100).map((o) => o.k)).toEqual([13, 42, 5, 7, 99]);
  });

  it('tells a tracked store that an idle key is gone and that it came back', () => {
    const registry = new MemoryStateRegistry({ track: true });
    const { op, col } = tumbling(registry);
    op.process([at(1, { k: 'a' }), at(2, { k: 5 })], col);
    op.onWatermark(10, col);
    registry.markClean();
    op.process([at(11, { k: 'a' })], col);
    expect(registry.keyedChanges()).toEqual({
      windows: { set: [['a', { k: ['a'], w: [{ s: 10, e: 20, n: 1, i: 0, x: [], v: [] }] }]], deleted: [] },
    });
    registry.markClean();
    op.onWatermark(20, col);
    expect(registry.keyedChanges()).toEqual({ windows: { set: [], deleted: ['a'] } });
    expect(registry.snapshot().windows).toEqual({ kind: 'keyed', entries: [] });
  });

  it('restores state written by the object layout of a sliding window (same entries) and fires it in order', () => {
    const ctx = testContext({
      config: windowDefinition.config.parse({ type: 'sliding', size: '20ms', slide: '10ms', keyBy: ['k'], aggregates: count }),
      nodeId: 'w',
    });
    const op = new WindowOperator(ctx.config, ctx.stateRegistry);
    ctx.stateRegistry.restore({
      windows: {
        kind: 'keyed',
        entries: [
          [
            'b',
            {
              k: ['b'],
              w: [
                { s: -10, e: 10, n: 4, i: 0, x: [], v: [] },
                { s: 0, e: 20, n: 4, i: 0, x: [], v: [] },
              ],
            },
          ],
          ['a', { k: ['a'], w: [{ s: 0, e: 20, n: 1, i: 0, x: [], v: [] }] }],
        ],
      },
      watermark: { kind: 'value', value: 5 },
      layout: { kind: 'value', value: 'sliding|["k"]|count' },
    });
    op.onRestore();
    const col = recordingCollector('w', () => true);
    op.process([at(12, { k: 'a' })], col);
    op.onWatermark(Number.POSITIVE_INFINITY, col);
    expect(plain(col.outputs.out)).toEqual([
      { k: 'b', window_start: -10, window_end: 10, n: 4 },
      { k: 'a', window_start: 0, window_end: 20, n: 2 },
      { k: 'b', window_start: 0, window_end: 20, n: 4 },
      { k: 'a', window_start: 10, window_end: 30, n: 1 },
    ]);
  });
});
