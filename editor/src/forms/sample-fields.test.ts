import type { PipelineDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { completionsAt } from './completions';
import { fieldNames, withSampleFields } from './sample-fields';

const doc = {
  format: 'sluice/v1',
  nodes: [
    { id: 'in', type: 'source.file', config: {} },
    { id: 'gen', type: 'source.generator', config: {} },
    { id: 'f', type: 'filter', config: {} },
    { id: 'm', type: 'map', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'f' },
    { id: 'e2', source: 'f', target: 'm' },
  ],
} as unknown as PipelineDocument;

describe('fields from pinned samples', () => {
  it('names nested fields with dots, once each', () => {
    expect(
      fieldNames([
        { sku: 'A', customer: { tier: 'gold' } },
        { sku: 'B', qty: 2 },
      ]),
    ).toEqual(['sku', 'customer', 'customer.tier', 'qty']);
  });

  it('completes pinned fields two nodes downstream of an open source, and leaves a closed schema alone', () => {
    const pinned = { in: [{ sku: 'A', quantity: 2 }] };
    const schema = withSampleFields({ fields: {}, open: true }, doc, 'm', pinned);
    expect(schema).toEqual({ fields: { sku: 'any', quantity: 'any' }, open: true });
    expect(completionsAt('qu', 2, { params: {}, schema: schema! })?.items).toEqual(['quantity']);
    const closed = { fields: { ts: 'number' as const }, open: false };
    expect(withSampleFields(closed, doc, 'm', pinned)).toBe(closed);
    // Nothing pinned upstream: as it was.
    expect(withSampleFields(undefined, doc, 'm', { gen: [{ x: 1 }] })).toBeUndefined();
  });
});
