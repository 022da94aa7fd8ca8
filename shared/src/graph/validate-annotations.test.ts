/**
 * Sticky notes and groups: the validator keeps them untouched (they round-trip), checks their
 * shape, ids, colours, limits and members, and never lets them change what the graph is.
 */
import { describe, expect, it } from 'vitest';
import { documentJsonSchema } from './json-schema.js';
import { fakeRegistry, type TestDoc, validDoc } from './fake-registry.fixture.js';
import type { MigrationStep } from './migrate.js';
import { validateDocument } from './validate.js';

const NOTES = [
  { id: 'n1', text: 'Orders arrive\nabout 50 a second', position: { x: -200, y: 40 }, size: { width: 220, height: 120 }, color: 'yellow' },
  { id: 'n2', text: '', position: { x: 10, y: 300 }, color: '#a0c4ff', 'x-author': 'ana' },
];
const GROUPS = [{ id: 'g1', label: 'Routing', color: 'teal', nodes: ['big', 'route'] }];

function annotated(change: (doc: TestDoc) => void = () => undefined): TestDoc {
  const doc: TestDoc = { ...validDoc(), notes: structuredClone(NOTES), groups: structuredClone(GROUPS) };
  change(doc);
  return doc;
}

/** `path code` of every diagnostic, in order. */
const problems = (doc: unknown) => validateDocument(doc, fakeRegistry).diagnostics.map((d) => `${d.path ?? '-'} ${d.code}`);

describe('notes and groups in a document', () => {
  it('are kept as written, through JSON text too, and change nothing else', () => {
    for (const input of [annotated(), JSON.stringify(annotated())]) {
      const r = validateDocument(input, fakeRegistry);
      expect(r.diagnostics).toEqual([]);
      expect(r.document!.notes).toEqual(NOTES);
      expect(r.document!.groups).toEqual(GROUPS);
    }
    const plain = validateDocument(validDoc(), fakeRegistry).document!;
    const { notes, groups, ...rest } = validateDocument(annotated(), fakeRegistry).document!;
    expect([notes?.length, groups?.length]).toEqual([2, 1]);
    expect(rest).toEqual(plain);
  });

  it('are optional: a document without them has none', () => {
    const r = validateDocument(validDoc(), fakeRegistry);
    expect(r.document!.notes).toBeUndefined();
    expect(r.document!.groups).toBeUndefined();
  });

  it('come through a migration from an older format unchanged', () => {
    const steps: MigrationStep[] = [{ from: 'sluice/v0', to: 'sluice/v1', upgrade: (doc) => ({ ...doc }) }];
    const r = validateDocument({ ...annotated(), format: 'sluice/v0' }, fakeRegistry, { migrations: steps });
    expect(r.migratedFrom).toBe('sluice/v0');
    expect(r.ok).toBe(true);
    expect(r.document!.notes).toEqual(NOTES);
    expect(r.document!.groups).toEqual(GROUPS);
  });

  it('refuses bad shapes, colours and sizes, naming each place', () => {
    const doc = annotated((d) => {
      const notes = d.notes as Record<string, unknown>[];
      notes[0]!.color = 'mauve';
      notes[1]!.size = { width: 10, height: 120 };
      notes.push({ id: 'n3', position: { x: 0, y: 0 } });
      notes.push({ id: 'bad id', text: 'x', position: { x: 0, y: 0 }, color: '#12345' });
    });
    expect(problems(doc)).toEqual([
      'notes[0].color wrong-type',
      'notes[1].size.width wrong-type',
      'notes[2].text missing-field',
      'notes[3].id wrong-type',
      'notes[3].color wrong-type',
    ]);
    const messages = validateDocument(doc, fakeRegistry).diagnostics.map((d) => d.message);
    expect(messages[0]).toBe('"mauve" is not a colour: use one of yellow, orange, red, pink, purple, blue, teal, green, gray or #rrggbb');
    expect(messages[1]).toBe('width must be at least 40');
  });

  it('limits note text and group labels', () => {
    const doc = annotated((d) => {
      (d.notes as Record<string, unknown>[])[0]!.text = 'a'.repeat(5001);
      (d.groups as Record<string, unknown>[])[0]!.label = 'b'.repeat(101);
      (d.groups as Record<string, unknown>[]).push({ id: 'g2', label: '', nodes: ['out'] });
    });
    const r = validateDocument(doc, fakeRegistry);
    expect(r.diagnostics.map((d) => `${d.path} ${d.message}`)).toEqual([
      'notes[0].text a note holds at most 5000 characters, this one 5001',
      'groups[0].label a group label holds at most 100 characters',
      'groups[1].label must not be empty',
    ]);
    expect(problems(annotated((d) => void (d.notes = Array.from({ length: 501 }, (_, i) => ({ ...NOTES[1], id: `n${i}` })))))).toEqual([
      'notes too-large',
    ]);
  });

  it('checks ids are unique across notes and groups, and that members exist and are in one group', () => {
    const doc = annotated((d) => {
      (d.notes as Record<string, unknown>[])[1]!.id = 'n1';
      const groups = d.groups as Record<string, unknown>[];
      groups[0]!.nodes = ['big', 'ghost', 'big'];
      groups.push({ id: 'n1', label: 'Sinks', nodes: ['out', 'route'] });
      groups.push({ id: 'g3', label: 'Empty', nodes: [] });
    });
    expect(validateDocument(doc, fakeRegistry).diagnostics.map((d) => `${d.path} ${d.code}: ${d.message}`)).toEqual([
      'notes[1].id duplicate-annotation-id: "n1" is already the id of notes[0]',
      'groups[0].nodes[1] unknown-group-member: "ghost" is not a node of this document',
      'groups[0].nodes[2] duplicate-group-member: "big" is listed twice in group "g1"',
      'groups[1].id duplicate-annotation-id: "n1" is already the id of notes[0]',
      'groups[2].nodes wrong-type: a group needs at least one node',
    ]);
  });

  it('does not count a node with a broken config as missing from its group', () => {
    const doc = annotated((d) => {
      (d.nodes[1] as Record<string, unknown>).config = { expression: 'amount >' };
    });
    expect(problems(doc).filter((p) => p.startsWith('groups'))).toEqual([]);
  });

  it('reports a node claimed by two groups', () => {
    const doc = annotated((d) => (d.groups as Record<string, unknown>[]).push({ id: 'g2', label: 'Also', nodes: ['route'] }));
    expect(validateDocument(doc, fakeRegistry).diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([
      'groups[1].nodes[0]: "route" is already in group "g1": a node belongs to one group at most',
    ]);
  });

  it('refuses a non-list', () => {
    expect(problems({ ...validDoc(), notes: {}, groups: 'g' })).toEqual(['notes wrong-type', 'groups wrong-type']);
  });

  it('are described in the JSON Schema', () => {
    type Items = { required?: string[]; properties: Record<string, { anyOf?: { enum?: string[]; pattern?: string }[] }> };
    const props = (documentJsonSchema() as { properties: Record<string, { items?: Items }> }).properties;
    expect(props.notes!.items!.required).toEqual(['id', 'text', 'position']);
    expect(props.groups!.items!.required).toEqual(['id', 'label', 'nodes']);
    // A JSON Schema tool checks colours too: a palette name or #rrggbb.
    const color = props.notes!.items!.properties.color!.anyOf!;
    expect(color.map((c) => c.enum ?? c.pattern)).toEqual([
      ['yellow', 'orange', 'red', 'pink', 'purple', 'blue', 'teal', 'green', 'gray'],
      '^#[0-9a-fA-F]{6}$',
    ]);
  });
});
