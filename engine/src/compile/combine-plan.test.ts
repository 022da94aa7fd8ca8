import { readFileSync } from 'node:fs';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from './compile-pipeline.js';
import { buildPlan } from './plan.js';

function planOf(doc: unknown, partitions = 2) {
  const { document, diagnostics } = compilePipeline(doc);
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return buildPlan(document, nodeDefinitions, { partitions });
}

const windowDoc = (config: Record<string, unknown>, late = false) => ({
  format: 'sluice/v1',
  nodes: [
    { id: 'src', type: 'source.http', config: {} },
    {
      id: 'w',
      type: 'window',
      config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }], ...config },
    },
    { id: 'out', type: 'sink.console', config: {} },
    ...(late ? [{ id: 'lates', type: 'sink.console', config: {} }] : []),
  ],
  edges: [
    { id: 'e1', source: 'src', target: 'w' },
    { id: 'e2', source: 'w', target: 'out' },
    ...(late ? [{ id: 'e3', source: 'w', sourcePort: 'late', target: 'lates' }] : []),
  ],
});

describe('plan: which exchanges combine (docs/combiner.md)', () => {
  it('YSB: the exchange into the count window carries partial rows; the one to the sink does not', () => {
    const ysb = JSON.parse(readFileSync(new URL('../../../examples/ysb/ysb.json', import.meta.url), 'utf8'));
    const plan = planOf(ysb);
    const combined = plan.edges.filter((e) => e.combine);
    expect(combined.map((e) => [e.target, e.combine])).toEqual([['per_campaign', ['\u0001n']]]);
    expect(combined[0]!.exchange).toBe(true);
  });

  it('a global window (one partition) combines too; one partition of a keyed stage as well', () => {
    expect(planOf(windowDoc({ keyBy: [] })).edges.find((e) => e.id === 'e1')!.combine).toEqual(['\u0001n']);
    expect(planOf(windowDoc({}), 1).edges.find((e) => e.id === 'e1')!.combine).toEqual(['\u0001n']);
  });

  it('not with the late port connected, a sliding or session window, or an aggregate that does not combine', () => {
    const combines = (doc: unknown) => planOf(doc).edges.find((e) => e.id === 'e1')!.combine;
    expect(combines(windowDoc({}, true))).toBeUndefined();
    expect(combines(windowDoc({ type: 'sliding', slide: '30s' }))).toBeUndefined();
    expect(combines(windowDoc({ type: 'session', size: undefined, gap: '30s' }))).toBeUndefined();
    expect(combines(windowDoc({ aggregates: [{ as: 'd', op: 'count_distinct', field: 'user' }] }))).toBeUndefined();
    expect(combines(windowDoc({ aggregates: [{ as: 'f', op: 'first', field: 'user' }] }))).toBeUndefined();
  });
});
