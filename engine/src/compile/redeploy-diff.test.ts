import type { PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';
import { compiled } from '../runners/runner.contract.js';
import { buildPlan } from './plan.js';
import { diffPlans, normalizedJson } from './redeploy-diff.js';

function doc(o: { keyBy?: string[]; size?: string; filter?: string; sink?: boolean } = {}): PipelineDocument {
  const nodes: unknown[] = [
    { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 10, seed: 1 } },
    { id: 'f', type: 'filter', config: { expression: o.filter ?? 'quantity > 1' } },
    {
      id: 'win',
      type: 'window',
      config: { type: 'tumbling', size: o.size ?? '1s', keyBy: o.keyBy ?? ['category'], aggregates: [{ as: 'n', op: 'count' }] },
    },
  ];
  const edges: unknown[] = [
    { id: 'e1', source: 'src', target: 'f' },
    { id: 'e2', source: 'f', target: 'win' },
  ];
  if (o.sink !== false) {
    nodes.push({ id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } });
    edges.push({ id: 'e3', source: 'win', target: 'out' });
  }
  return compiled({ format: 'sluice/v1', nodes, edges });
}

const plan = (d: PipelineDocument, partitions = 2) => buildPlan(d, nodeDefinitions, { partitions });

describe('diffPlans', () => {
  it('keeps every node of an identical plan', () => {
    expect(diffPlans(plan(doc()), plan(doc()))).toEqual({
      kept: ['src', 'f', 'win', 'out'],
      reset: [],
      added: [],
      removed: [],
      reasons: {},
    });
  });

  it('resets only the node whose config changed', () => {
    const d = diffPlans(plan(doc()), plan(doc({ filter: 'quantity > 2' })));
    expect(d.kept).toEqual(['src', 'win', 'out']);
    expect(d.reset).toEqual(['f']);
    expect(d.reasons).toEqual({ f: 'config changed' });
  });

  it('resets a window whose key or partition count changed, and names why', () => {
    expect(diffPlans(plan(doc()), plan(doc({ keyBy: ['sku'] }))).reasons).toEqual({ win: 'config changed' });
    const d = diffPlans(plan(doc(), 2), plan(doc(), 4));
    expect(d.reset).toEqual(['win']);
    expect(d.reasons).toEqual({ win: 'partitions 2 -> 4' });
  });

  it('lists added and removed nodes', () => {
    const d = diffPlans(plan(doc()), plan(doc({ sink: false })));
    expect(d.removed).toEqual(['out']);
    expect(diffPlans(plan(doc({ sink: false })), plan(doc())).added).toEqual(['out']);
  });

  it('compares configs whatever the order of their keys', () => {
    expect(normalizedJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: null } })).toBe(
      normalizedJson({ a: { c: null, d: [1, { x: 2, y: 1 }] }, b: 1 }),
    );
    expect(normalizedJson({ a: [1, 2] })).not.toBe(normalizedJson({ a: [2, 1] }));
  });
});
