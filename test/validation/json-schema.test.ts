import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_PATH, schemaText } from '../../scripts/gen-schema.js';

describe('the committed JSON Schema of the document', () => {
  it('is generated from the validator source and up to date (regenerate: npx tsx scripts/gen-schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(schemaText());
  });

  it('requires format, nodes; describes node ids and edge ends', () => {
    const s = JSON.parse(schemaText());
    expect(s.required).toEqual(expect.arrayContaining(['format', 'nodes']));
    expect(s.properties.format.const).toBe('sluice/v1');
    const node = s.properties.nodes.items;
    expect(node.required).toEqual(expect.arrayContaining(['id', 'type']));
    expect(node.properties.id.pattern).toBe('^[A-Za-z0-9_-]{1,64}$');
    expect(s.properties.edges.items.required).toEqual(expect.arrayContaining(['id', 'source', 'target']));
  });
});
