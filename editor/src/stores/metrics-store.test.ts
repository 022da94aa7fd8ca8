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
});
