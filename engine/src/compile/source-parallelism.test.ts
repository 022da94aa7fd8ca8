/** `parallelism` and `placement` on nodes: validated naming the node, and planned as source partitions. */
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from './compile-pipeline.js';
import { buildPlan } from './plan.js';

function doc(gen: Record<string, unknown>, win: Record<string, unknown> = {}) {
  return {
    format: 'sluice/v1',
    nodes: [
      { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 10 }, ...gen },
      { id: 'keep', type: 'filter', config: { expression: 'quantity >= 1' } },
      {
        id: 'win',
        type: 'window',
        config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }] },
        ...win,
      },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'gen', target: 'keep' },
      { id: 'e2', source: 'keep', target: 'win' },
      { id: 'e3', source: 'win', target: 'out' },
    ],
  };
}

const errors = (d: unknown) => compilePipeline(d).diagnostics.filter((x) => x.severity === 'error');

describe('source parallelism and placement', () => {
  it('plans a split source as a stage of N partitions, its chained filter with it', () => {
    const { document } = compilePipeline(doc({ parallelism: 4, placement: { labels: ['gen-box'] } }));
    expect(document).toBeDefined();
    const plan = buildPlan(document!, nodeDefinitions, { partitions: 2 });
    const source = plan.stages[plan.nodes.get('gen')!.stage]!;
    expect(source).toMatchObject({ source: 'gen', partitions: 4, nodes: ['gen', 'keep'] });
    expect(plan.nodes.get('gen')!.placement).toEqual(['gen-box']);
    expect(plan.stages[plan.nodes.get('win')!.stage]!.partitions).toBe(2);
  });

  it('refuses parallelism on a source that does not split, on a node that is not a source, and out of range, naming the node', () => {
    const file = doc({});
    file.nodes[0] = { id: 'gen', type: 'source.file', config: { path: 'in.jsonl' }, parallelism: 2 } as never;
    expect(errors(file).map((d) => [d.code, d.nodeId, d.message])).toContainEqual([
      'source-does-not-split',
      'gen',
      'node "gen": source.file does not split, so its parallelism must be 1 (got 2)',
    ]);
    expect(errors(doc({}, { parallelism: 2 })).map((d) => [d.code, d.nodeId])).toContainEqual(['parallelism-not-source', 'win']);
    expect(errors(doc({}, { placement: { labels: ['a'] } })).map((d) => [d.code, d.nodeId])).toContainEqual([
      'placement-not-source',
      'win',
    ]);
    for (const bad of [0, 257, 1.5, '4']) {
      const found = errors(doc({ parallelism: bad }));
      expect(found.length, String(bad)).toBeGreaterThan(0);
      expect(found[0]!.nodeId, String(bad)).toBe('gen');
      expect(`${found[0]!.path} ${found[0]!.message}`, String(bad)).toMatch(/parallelism/);
    }
    expect(errors(doc({ placement: { labels: ['has space'] } }))[0]?.message).toMatch(/"has space" is not a valid worker label/);
    expect(errors(doc({ parallelism: 256 }))).toEqual([]);
  });
});
