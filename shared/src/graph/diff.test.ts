import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from './document.js';
import { diffDocuments } from './diff.js';

const v1: PipelineDocument = {
  format: 'sluice/v1',
  params: { surge_threshold: { type: 'number', value: 50 } },
  nodes: [
    { id: 'orders', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders' } },
    { id: 'rules', type: 'map', config: { set: { price: 'p * 1.05' } } },
  ],
  edges: [{ id: 'e1', source: 'orders', target: 'rules' }],
};

describe('diffDocuments', () => {
  it('says what changed, one line each, ignoring positions', () => {
    const v2: PipelineDocument = {
      ...v1,
      params: { surge_threshold: { type: 'number', value: 60 } },
      nodes: [
        { ...v1.nodes[0]!, position: { x: 500, y: 9 } },
        { id: 'rules', type: 'map', config: { set: { price: 'p * 1.08' } } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      edges: [...v1.edges, { id: 'e2', source: 'rules', target: 'out' }],
    };
    const d = diffDocuments(v1, v2);
    expect(d.summary).toEqual([
      'surge_threshold 50 -> 60',
      'node out added (sink.console)',
      'rules: config.set.price p * 1.05 -> p * 1.08',
      'edge rules.out -> out.in added',
    ]);
    expect(d.nodes.changed.map((c) => c.id)).toEqual(['rules']);
  });

  it('is empty for the same document', () => {
    expect(diffDocuments(v1, structuredClone(v1)).summary).toEqual([]);
  });
});
