import type { PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../compile/plan.js';
import { diffPlans } from '../../compile/redeploy-diff.js';
import { compiled } from '../runner.contract.js';
import { collectTask, emptyOldState, freshTaskSnapshot, newTaskState } from './hot-swap-state.js';

function doc(tag: string): PipelineDocument {
  return compiled({
    format: 'sluice/v1',
    nodes: [
      { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 10, seed: 1 } },
      { id: 'win', type: 'window', config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] } },
      { id: 'tag', type: 'map', config: { set: { v: tag } } },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'win' },
      { id: 'e2', source: 'win', target: 'tag' },
      { id: 'e3', source: 'tag', target: 'out' },
    ],
  });
}

const counts = (n: number) => ({ in: n, out: n, errors: 0, late: 0, dropped: 0, batches: 1, busyMs: 0 });
const winState = (key: string) => ({ windows: { kind: 'keyed' as const, entries: [[key, { k: [key], w: [] }]] as [string, unknown][] } });

describe('hot swap state in Redis', () => {
  // Plans: stage 0 = src; stage 1 = win + tag (keyed by category); stage 2 = out (1 partition).
  const before = buildPlan(doc('"v1"'), nodeDefinitions, { partitions: 2 });

  function oldState(kept: Set<string>) {
    const old = emptyOldState();
    for (const p of [0, 1])
      collectTask(
        old,
        ['win', 'tag'],
        p,
        {
          operators: { win: winState(`k${p}`), tag: {} },
          counters: { nodes: { win: counts(10 + p), tag: counts(1) }, edges: { e2: 2, e3: 3 }, watermark: 5, done: false },
        },
        kept,
      );
    collectTask(
      old,
      ['out'],
      0,
      {
        operators: { out: { committedBytes: { kind: 'value', value: 42 } } },
        counters: { nodes: { out: counts(6) }, edges: {}, watermark: 5, done: false },
      },
      kept,
    );
    return old;
  }

  it('a kept window keeps each partition its own state; counters and edge counts carry on; channels restart', () => {
    const after = buildPlan(doc('"v2"'), nodeDefinitions, { partitions: 2 });
    const kept = new Set(diffPlans(before, after).kept);
    expect([...kept].sort()).toEqual(['out', 'src', 'win']);
    const old = oldState(kept);
    const p1 = newTaskState(before, after, old, 1, 1)!;
    expect(p1.operators).toEqual({ win: winState('k1') }); // the changed map takes no state
    expect(p1.counters).toEqual({ nodes: { win: counts(11), tag: counts(1) }, edges: {}, watermark: null, done: false });
    // Edge counts (summed over partitions) land once, on partition 0 of their source's stage.
    expect(newTaskState(before, after, old, 1, 0)!.counters.edges).toEqual({ e2: 4, e3: 6 });
    const snap = freshTaskSnapshot(newTaskState(before, after, old, 2, 0)!);
    expect(snap).toEqual({
      applied: {},
      channels: {},
      watermark: Number.NEGATIVE_INFINITY,
      exchange: { seq: {}, sentWm: {} },
      operators: { out: { committedBytes: { kind: 'value', value: 42 } } },
      counters: { nodes: { out: counts(6) }, edges: {}, watermark: null, done: false },
    });
  });

  it('a partition count change resets the window and sums its counters into partition 0', () => {
    const after = buildPlan(doc('"v1"'), nodeDefinitions, { partitions: 3 });
    const kept = new Set(diffPlans(before, after).kept);
    expect(kept.has('win')).toBe(false);
    const old = oldState(kept);
    expect(newTaskState(before, after, old, 1, 0)!.counters.nodes.win).toEqual({ ...counts(21), batches: 2, out: 21 });
    expect(newTaskState(before, after, old, 1, 0)!.operators).toEqual({});
    expect(newTaskState(before, after, old, 1, 2)).toBeUndefined(); // nothing to carry: starts empty
  });

  it('error samples carry on with the counters: each partition its own, merged into partition 0 when the count changes', () => {
    const kept = new Set(['src', 'win', 'out']);
    const old = emptyOldState();
    const samples = [
      [{ message: 'bad amount', count: 2 }],
      [
        { message: 'bad amount', count: 3 },
        { message: 'no sku', count: 1 },
      ],
    ];
    for (const p of [0, 1])
      collectTask(
        old,
        ['win', 'tag'],
        p,
        { operators: {}, counters: { nodes: { tag: counts(5) }, edges: {}, watermark: 5, done: false, errors: { tag: samples[p]! } } },
        kept,
      );
    const same = buildPlan(doc('"v1"'), nodeDefinitions, { partitions: 2 });
    expect(newTaskState(before, same, old, 1, 1)!.counters.errors).toEqual({ tag: samples[1] });
    const wider = buildPlan(doc('"v1"'), nodeDefinitions, { partitions: 3 });
    expect(newTaskState(before, wider, old, 1, 0)!.counters.errors).toEqual({
      tag: [
        { message: 'bad amount', count: 5 },
        { message: 'no sku', count: 1 },
      ],
    });
    expect(newTaskState(before, wider, old, 1, 1)).toBeUndefined();
  });
});
