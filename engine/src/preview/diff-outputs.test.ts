import { describe, expect, it } from 'vitest';
import { diffOutputs, sinkKeyFields } from './diff-outputs.js';

describe('diffOutputs', () => {
  it('pairs results by key and reports changed fields with delta and percent, biggest move first', () => {
    const live = [
      { sku: 'A', window_start: 0, price: 10, surge: false },
      { sku: 'B', window_start: 0, price: 20, surge: false },
      { sku: 'C', window_start: 0, price: 5, surge: false },
      { sku: 'D', window_start: 0, price: 1, surge: false },
    ];
    const draft = [
      { sku: 'B', window_start: 0, price: 22, surge: true }, // +2, +10 %
      { sku: 'A', window_start: 0, price: 10, surge: false }, // unchanged (order does not matter)
      { sku: 'C', window_start: 0, price: 7, surge: true }, // +2, +40 %
      { sku: 'E', window_start: 0, price: 3, surge: false }, // added; D removed
    ];
    const d = diffOutputs(live, draft, ['sku', 'window_start']);
    expect([d.unchanged, d.changed, d.added, d.removed]).toEqual([1, 2, 1, 1]);
    expect(d.rows.map((r) => [r.key, r.change])).toEqual([
      ['sku="C", window_start=0', 'changed'],
      ['sku="B", window_start=0', 'changed'],
      ['sku="D", window_start=0', 'removed'],
      ['sku="E", window_start=0', 'added'],
    ]);
    const c = d.rows[0]!;
    expect(c.fields).toEqual([
      { field: 'price', before: 5, after: 7, delta: 2, pct: 40 },
      { field: 'surge', before: false, after: true },
    ]);
    expect(d.biggestMoves.map((m) => [m.key, m.field, m.delta, m.pct])).toEqual([
      ['sku="C", window_start=0', 'price', 2, 40],
      ['sku="B", window_start=0', 'price', 2, 10],
    ]);
  });

  it('without key fields pairs results by position; a repeated key is numbered, never merged', () => {
    expect(diffOutputs([{ v: 1 }, { v: 2 }], [{ v: 1 }, { v: 3 }, { v: 4 }], []).rows.map((r) => [r.key, r.change])).toEqual([
      ['#2', 'changed'],
      ['#3', 'added'],
    ]);
    const d = diffOutputs(
      [
        { k: 'x', v: 1 },
        { k: 'x', v: 2 },
      ],
      [
        { k: 'x', v: 1 },
        { k: 'x', v: 5 },
      ],
      ['k'],
    );
    expect(d.rows.map((r) => [r.key, r.fields[0]?.after])).toEqual([['k="x" #2', 5]]);
    expect(d.unchanged).toBe(1);
  });

  it('a change from zero has a delta but no percent', () => {
    const d = diffOutputs([{ k: 1, v: 0 }], [{ k: 1, v: 4 }], ['k']);
    expect(d.rows[0]!.fields).toEqual([{ field: 'v', before: 0, after: 4, delta: 4 }]);
  });
});

describe('sinkKeyFields', () => {
  it("is the nearest upstream window's keys plus its start, through unkeyed nodes", () => {
    const doc = {
      format: 'sluice/v1' as const,
      nodes: [
        { id: 'src', type: 'source.http', config: {} },
        {
          id: 'w',
          type: 'window',
          config: { type: 'tumbling', size: '1m', keyBy: ['sku', 'category'], aggregates: [{ as: 'n', op: 'count' }] },
        },
        { id: 'm', type: 'map', config: { set: { x: '1' } } },
        { id: 'out', type: 'sink.console', config: {} },
        { id: 'raw', type: 'sink.console', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'src', target: 'w' },
        { id: 'e2', source: 'w', target: 'm' },
        { id: 'e3', source: 'm', target: 'out' },
        { id: 'e4', source: 'src', target: 'raw' },
      ],
    };
    expect(sinkKeyFields(doc, 'out')).toEqual(['sku', 'category', 'window_start']);
    expect(sinkKeyFields(doc, 'raw')).toEqual([]);
  });
});
