import { readFileSync } from 'node:fs';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from './compile-pipeline.js';
import { buildPlan } from './plan.js';
import { exchangeFields } from './projection.js';

function planOf(doc: unknown) {
  const { document, diagnostics } = compilePipeline(doc);
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const plan = buildPlan(document, nodeDefinitions, { partitions: 2 });
  return { plan, fields: (edgeId: string) => exchangeFields(plan, plan.edges.find((e) => e.id === edgeId)!) };
}

const source = { id: 'src', type: 'source.http', config: {} };

describe('exchangeFields: what an exchange ships', () => {
  it('YSB: the count window needs only the campaign, and a partial row its count (event time travels beside)', () => {
    const ysb = JSON.parse(readFileSync(new URL('../../../examples/ysb/ysb.json', import.meta.url), 'utf8'));
    const { plan } = planOf(ysb);
    const into = plan.edges.filter((e) => e.exchange && e.target === 'per_campaign');
    expect(into).toHaveLength(1);
    expect(exchangeFields(plan, into[0]!)).toEqual(['campaign_id', '\u0001n']);
  });

  it('a window reads its keys and aggregated fields; through a filter and a map their fields too', () => {
    const { fields } = planOf({
      format: 'sluice/v1',
      nodes: [
        source,
        {
          id: 'w',
          type: 'window',
          config: {
            type: 'tumbling',
            size: '1m',
            keyBy: ['user.country', 'sku'],
            aggregates: [
              { as: 'n', op: 'count' },
              { as: 'total', op: 'sum', field: 'amount' },
            ],
          },
        },
        { id: 'big', type: 'filter', config: { expression: 'n > params.min && total > 10' } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      params: { min: { type: 'number', value: 1 } },
      edges: [
        { id: 'e1', source: 'src', target: 'w' },
        { id: 'e2', source: 'w', target: 'big' },
        { id: 'e3', source: 'big', target: 'out' },
      ],
    });
    // The window's results are new objects: what the filter and the sink read of them is not shipped.
    // A sum is not combined (docs/combiner.md): events cross, with only what the window reads.
    expect(fields('e1')?.sort()).toEqual(['amount', 'sku', 'user']);
  });

  it('ships everything when the stage may pass events to a sink: late events, or a filter before a sink', () => {
    const late = planOf({
      format: 'sluice/v1',
      nodes: [
        source,
        { id: 'w', type: 'window', config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }] } },
        { id: 'out', type: 'sink.console', config: {} },
        { id: 'lates', type: 'sink.console', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'src', target: 'w' },
        { id: 'e2', source: 'w', target: 'out' },
        { id: 'e3', source: 'w', sourcePort: 'late', target: 'lates' },
      ],
    });
    expect(late.fields('e1')).toBeUndefined();
    const keyedFilter = planOf({
      format: 'sluice/v1',
      nodes: [
        source,
        { id: 'w', type: 'window', config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }] } },
        { id: 'w2', type: 'window', config: { type: 'tumbling', size: '5m', keyBy: ['n'], aggregates: [{ as: 'k', op: 'count' }] } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'src', target: 'w' },
        { id: 'e2', source: 'w', target: 'w2' },
        { id: 'e3', source: 'w2', target: 'out' },
      ],
    });
    // Two keyed stages: each exchange ships what its own window reads.
    expect(keyedFilter.fields('e1')).toEqual(['sku', '\u0001n']);
    expect(keyedFilter.fields('e2')).toEqual(['n', '\u0001n']);
  });
});
