/* biome-ignore-all lint/suspicious/noThenProperty: a rules row's outputs are called `then` (docs/rules.md) */
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
  it('reads a document without edges as one with none (the format defaults them to [])', () => {
    const { edges: _e, ...bare } = v1;
    const noEdges = bare as PipelineDocument;
    expect(diffDocuments(noEdges, v1).edges).toEqual({ added: ['orders.out -> rules.in'], removed: [] });
    expect(diffDocuments(v1, noEdges).summary).toEqual(['edge orders.out -> rules.in removed']);
  });

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

  it("compares a rules table's rows as rows: an edited cell, an added row, a removed row, a reorder", () => {
    const row = (category: string, demand: number, pct: number) => ({
      when: { category: { op: '=', value: category }, demand: { op: '>', value: demand } },
      then: { adjust_pct: pct },
    });
    const table = (rows: unknown[]): PipelineDocument => ({
      format: 'sluice/v1',
      nodes: [{ id: 'pricing', type: 'rules', label: 'Pricing table', config: { exposed: true, rows, default: { adjust_pct: 0 } } }],
      edges: [],
    });
    const base = table([row('toys', 10, 3), row('books', 20, 2), row('electronics', 40, 5)]);
    expect(diffDocuments(base, table([row('toys', 10, 3), row('books', 20, 2), row('electronics', 40, 8)])).summary).toEqual([
      'Pricing table (pricing): row 3 adjust_pct 5 -> 8',
    ]);
    expect(diffDocuments(base, table([row('toys', 10, 3), row('books', 30, 2), row('electronics', 40, 5)])).summary).toEqual([
      'Pricing table (pricing): row 2 when demand > 20 -> demand > 30',
    ]);
    // The operator is part of the line, changed or not (issue 13, defect 23: the audit dropped it).
    const opChanged = table([row('toys', 10, 3), row('books', 20, 2), row('electronics', 40, 5)]);
    (opChanged.nodes[0]!.config as { rows: { when: Record<string, { op: string }> }[] }).rows[1]!.when.demand!.op = '>=';
    expect(diffDocuments(base, opChanged).summary).toEqual(['Pricing table (pricing): row 2 when demand > 20 -> demand >= 20']);
    // Inserting a row first does not report every later row as changed.
    expect(
      diffDocuments(base, table([row('garden', 5, 1), row('toys', 10, 3), row('books', 20, 2), row('electronics', 40, 5)])).summary,
    ).toEqual(['Pricing table (pricing): row 1 added (category = garden and demand > 5 -> adjust_pct 1)']);
    expect(diffDocuments(base, table([row('toys', 10, 3), row('electronics', 40, 5)])).summary).toEqual([
      'Pricing table (pricing): row 2 removed (category = books and demand > 20 -> adjust_pct 2)',
    ]);
    expect(diffDocuments(base, table([row('books', 20, 2), row('toys', 10, 3), row('electronics', 40, 5)])).summary).toEqual([
      'Pricing table (pricing): rows reordered',
    ]);
  });
});
