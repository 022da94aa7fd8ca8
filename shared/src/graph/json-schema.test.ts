/**
 * The JSON Schema of the document: generated from the validator's zod source, committed as
 * docs/sluice-v1.schema.json, and meaning what the validator means for the document's shape.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validDoc } from './fake-registry.fixture.js';
import { documentJsonSchema, documentJsonSchemaText } from './json-schema.js';

const COMMITTED = new URL('../../../docs/sluice-v1.schema.json', import.meta.url);

type Schema = Record<string, unknown>;

/**
 * A tiny JSON Schema checker covering the keywords the generated schema uses (no ajv needed):
 * returns the paths where `value` does not fit.
 */
function problems(schema: Schema, value: unknown, path = '$'): string[] {
  const out: string[] = [];
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  if (schema.type !== undefined) {
    const types = ([] as unknown[]).concat(schema.type);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [`${path}: type`];
  }
  if ('const' in schema && value !== schema.const) out.push(`${path}: const`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${path}: enum`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) out.push(`${path}: pattern`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) out.push(`${path}: minLength`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) out.push(`${path}: maxLength`);
  }
  if (Array.isArray(value) && schema.items) {
    for (const [i, v] of value.entries()) out.push(...problems(schema.items as Schema, v, `${path}[${i}]`));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) out.push(`${path}.${key}: required`);
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [key, v] of Object.entries(obj)) {
      if (schema.propertyNames) out.push(...problems(schema.propertyNames as Schema, key, `${path}.${key} (name)`));
      const sub = props[key] ?? (typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Schema) : undefined);
      if (sub) out.push(...problems(sub, v, `${path}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${path}.${key}: additional`);
    }
  }
  if (Array.isArray(schema.oneOf)) {
    const fits = (schema.oneOf as Schema[]).filter((s) => problems(s, value, path).length === 0).length;
    if (fits !== 1) out.push(`${path}: oneOf`);
  }
  if (Array.isArray(schema.anyOf) && !(schema.anyOf as Schema[]).some((s) => problems(s, value, path).length === 0))
    out.push(`${path}: anyOf`);
  return out;
}

describe('documentJsonSchema', () => {
  it('is committed up to date in docs/sluice-v1.schema.json', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    expect(
      committed === documentJsonSchemaText(),
      'docs/sluice-v1.schema.json is out of date with shared/src/graph/document-schema.ts: regenerate it with `npx tsx scripts/gen-schema.ts` and commit it',
    ).toBe(true);
  });

  it('accepts a valid document, with extension fields', () => {
    const schema = documentJsonSchema();
    expect(problems(schema, validDoc())).toEqual([]);
    const { edges, ...noEdges } = validDoc();
    expect(problems(schema, { ...noEdges, 'x-owner': 'team' })).toEqual([]);
  });

  it('refuses obvious bad ones', () => {
    const schema = documentJsonSchema();
    const { format, ...noFormat } = validDoc();
    expect(problems(schema, noFormat)).toEqual(['$.format: required']);
    expect(problems(schema, { ...validDoc(), format: 'sluice/v2' })).toEqual(['$.format: const']);
    expect(problems(schema, { ...validDoc(), id: 'Not An Id' })).toEqual(['$.id: pattern']);
    expect(problems(schema, { format, edges: [] })).toEqual(['$.nodes: required']);
    const doc = validDoc();
    doc.nodes[0] = { id: 'a b', config: {} };
    doc.edges[0] = { id: 'e1', source: 'src' };
    doc.params.threshold = { type: 'number', value: 'ten' };
    expect(problems(schema, doc)).toEqual([
      '$.params.threshold: oneOf',
      '$.nodes[0].type: required',
      '$.nodes[0].id: pattern',
      '$.edges[0].target: required',
    ]);
  });
});
