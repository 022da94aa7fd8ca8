import type { PipelineMetrics } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { useMetrics } from './metrics-store';

const snap = (at: number, out: number): PipelineMetrics => ({
  at,
  status: 'running',
  startedAt: 0,
  nodes: { f: { in: out, out, errors: 0, late: 0, dropped: 0, batches: 1, busyMs: 0, batchP50Ms: 0, batchP99Ms: 0 } },
  edges: {},
  stages: {},
  sinks: {},
});

describe('metrics store', () => {
  it('turns successive snapshots into events/s per node and keeps a history for sparklines', () => {
    const m = useMetrics.getState();
    m.reset();
    m.push('running', snap(1000, 100));
    m.push('running', snap(2000, 600));
    m.push('running', snap(4000, 1600));
    const s = useMetrics.getState();
    expect(s.rates.f).toEqual({ in: 500, out: 500 });
    expect(s.history.f).toEqual([0, 500, 500]);
    expect(s.status).toBe('running');
  });

  it('a message keeps the objects of nodes whose numbers did not change, so their components do not re-render', () => {
    const node = (out: number) => ({ in: out, out, errors: 0, late: 0, dropped: 0, batches: 1, busyMs: 0, batchP50Ms: 0, batchP99Ms: 0 });
    const two = (at: number, a: number, b: number): PipelineMetrics => ({
      ...snap(at, 0),
      nodes: { a: node(a), b: node(b) },
      stages: {
        s0: { nodes: ['a'], partitions: 1, backlog: 0, watermark: null, watermarkLagMs: null },
        s1: { nodes: ['b'], partitions: 1, backlog: 12, watermark: null, watermarkLagMs: null },
      },
    });
    const m = useMetrics.getState();
    m.reset();
    m.push('running', two(1000, 10, 5));
    m.push('running', two(2000, 20, 5));
    const before = useMetrics.getState();
    m.push('running', two(3000, 30, 5));
    const after = useMetrics.getState();
    // b: same counters, same rate (0/s twice): the very same objects.
    expect(after.latest!.nodes.b).toBe(before.latest!.nodes.b);
    expect(after.rates.b).toBe(before.rates.b);
    // a: new counters, but the same rate (10/s twice) keeps its object.
    expect(after.latest!.nodes.a).toEqual(node(30));
    expect(after.rates.a).toBe(before.rates.a);
    expect(after.rates.a).toEqual({ in: 10, out: 10 });
    expect(after.stageOf).toEqual({ a: 's0', b: 's1' });
  });
});
