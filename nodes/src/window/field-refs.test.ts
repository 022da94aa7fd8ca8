/** Issue 13, defect 9: a window's keyBy and aggregate fields are checked against the fields that reach it. */
import { describe, expect, it } from 'vitest';
import { type PipelineDocument, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '../definitions.js';

const doc = (
  window: Record<string, unknown>,
  source: { type: string; config: Record<string, unknown> } = { type: 'source.generator', config: { scenario: 'orders' } },
): PipelineDocument => ({
  format: 'sluice/v1',
  nodes: [
    { id: 'src', ...source },
    { id: 'win', type: 'window', config: { type: 'tumbling', size: '1m', ...window } },
  ],
  edges: [{ id: 'e1', source: 'src', target: 'win' }],
});

const fieldProblems = (d: PipelineDocument) =>
  validateDocument(d, nodeDefinitions)
    .diagnostics.filter((x) => x.code === 'unknown-field')
    .map((x) => `${x.path}: ${x.message}`);

describe('window field references', () => {
  it('flags an unknown keyBy field and aggregate field with the closest name', () => {
    expect(
      fieldProblems(
        doc({
          keyBy: ['categroy'],
          aggregates: [
            { as: 'n', op: 'count' },
            { as: 'units', op: 'sum', field: 'quantty' },
            { as: 'x', op: 'max', field: 'nothing_like_it' },
          ],
        }),
      ),
    ).toEqual([
      'config.keyBy[0]: unknown field "categroy"; did you mean "category"?',
      'config.aggregates[1].field: unknown field "quantty"; did you mean "quantity"?',
      'config.aggregates[2].field: unknown field "nothing_like_it" (fields here: order_id, sku, category, quantity, unit_price, customer_id, ts)',
    ]);
  });

  it('passes known fields, and checks nothing when the input schema is open', () => {
    expect(fieldProblems(doc({ keyBy: ['category'], aggregates: [{ as: 'units', op: 'sum', field: 'quantity' }] }))).toEqual([]);
    expect(fieldProblems(doc({ keyBy: ['categroy'], aggregates: [] }, { type: 'source.http', config: {} }))).toEqual([]);
  });
});
