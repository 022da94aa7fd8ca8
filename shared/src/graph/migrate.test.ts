import { describe, expect, it } from 'vitest';
import { validDoc } from './fake-registry.fixture.js';
import { MIGRATIONS, type MigrationStep, migrateDocument, readableFormats } from './migrate.js';

describe('migrateDocument', () => {
  it('is the identity on a current document (the same object, nothing migrated)', () => {
    const doc = validDoc();
    const r = migrateDocument(doc);
    expect(r.document).toBe(doc);
    expect(r.migratedFrom).toBeUndefined();
    expect(MIGRATIONS).toEqual([]);
    expect(readableFormats()).toEqual(['sluice/v1']);
  });

  it('leaves what it cannot migrate to the validator', () => {
    for (const input of [null, 42, 'text', [1], {}, { format: 'sluice/v9', nodes: [] }]) {
      expect(migrateDocument(input)).toEqual({ document: input });
    }
  });

  it('runs each step after the document format, in order, without touching the input', () => {
    const steps: MigrationStep[] = [
      { from: 'sluice/v0', to: 'sluice/v0.5', upgrade: ({ links, ...doc }) => ({ ...doc, edges: links }) },
      { from: 'sluice/v0.5', to: 'sluice/v1', upgrade: (doc) => ({ ...doc, upgraded: true }) },
    ];
    const old = Object.freeze({ format: 'sluice/v0', nodes: [], links: [] });
    expect(migrateDocument(old, steps)).toEqual({
      document: { format: 'sluice/v1', nodes: [], edges: [], upgraded: true },
      migratedFrom: 'sluice/v0',
    });
    expect(readableFormats(steps)).toEqual(['sluice/v0', 'sluice/v0.5', 'sluice/v1']);
  });

  it('gives up on a list of steps that loops instead of hanging', () => {
    const loop: MigrationStep[] = [
      { from: 'a', to: 'b', upgrade: (d) => ({ ...d }) },
      { from: 'b', to: 'a', upgrade: (d) => ({ ...d }) },
    ];
    const input = { format: 'a' };
    expect(migrateDocument(input, loop)).toEqual({ document: input });
  });
});
