/** The zod schema and the TypeScript types of document.ts say the same thing. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { ParamSpec, PipelineDocument } from './document.js';
import { type DocumentShape, documentSchema, type paramSpecSchema } from './document-schema.js';
import { validDoc } from './fake-registry.fixture.js';

/** A type without its index signatures (the schema's loose objects have one), recursively. */
type Named<T> = T extends readonly (infer I)[]
  ? Named<I>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Named<T[K]> }
    : T;

describe('documentSchema', () => {
  it('agrees with the PipelineDocument type both ways', () => {
    // What the schema reads is a PipelineDocument.
    expectTypeOf<DocumentShape>().toExtend<PipelineDocument>();
    // A PipelineDocument has the schema's fields. The one looser spot is deliberate: ParamSpec
    // does not tie `value` to `type`, because a draft with a mismatched param is still a
    // document the API stores (validateDocument refuses running it: param-type).
    expectTypeOf<Omit<PipelineDocument, 'params'>>().toExtend<Omit<Named<z.input<typeof documentSchema>>, 'params'>>();
    expectTypeOf<z.input<typeof paramSpecSchema>>().toExtend<ParamSpec>();
  });

  it('applies the documented defaults (no edges, empty config)', () => {
    const doc = documentSchema.parse({ format: 'sluice/v1', nodes: [{ id: 'c', type: 'sink.console' }] });
    expect(doc.edges).toEqual([]);
    expect(doc.nodes[0]!.config).toEqual({});
  });

  it('keeps unknown fields (extension policy)', () => {
    const doc = documentSchema.parse({ ...validDoc(), 'x-team': 'pricing' });
    expect(doc['x-team']).toBe('pricing');
  });

  it('reads a param value by its type', () => {
    const ok = (type: string, value: unknown) =>
      documentSchema.safeParse({ format: 'sluice/v1', nodes: [], params: { p: { type, value } } }).success;
    expect([ok('number', 1), ok('string', 'a'), ok('boolean', false)]).toEqual([true, true, true]);
    expect([ok('number', '1'), ok('string', 1), ok('boolean', 'no'), ok('date', 1)]).toEqual([false, false, false, false]);
  });
});
