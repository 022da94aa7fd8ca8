/**
 * Notes and groups in the editor's document: each change is one undo step, a frame drag moves
 * exactly its members, a deleted node leaves its group, and an export read back by import keeps
 * them as they were.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { PipelineDocument } from '@sluice/shared';
import { readDocumentText } from '../pages/import-document';
import { applyMoves } from './annotations';
import { useDocument } from './document-store';

const s = () => useDocument.getState();
const doc = () => s().doc;

const BASE: PipelineDocument = {
  format: 'sluice/v1',
  name: 'Annotated',
  nodes: [
    { id: 'gen', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'orders' } },
    { id: 'keep', type: 'filter', position: { x: 300, y: 0 }, config: { expression: 'true' } },
    { id: 'out', type: 'sink.console', position: { x: 600, y: 40 }, config: {} },
  ],
  edges: [
    { id: 'e1', source: 'gen', target: 'keep' },
    { id: 'e2', source: 'keep', target: 'out' },
  ],
};

beforeEach(() => {
  s().setReadOnly(false);
  s().load(undefined, structuredClone(BASE));
});

describe('notes in the document store', () => {
  it('adds, edits, resizes, colours and deletes a note, one undo step each', () => {
    const id = s().addNote({ x: 10, y: 200 });
    expect(id).toBe('note1');
    expect(doc().notes).toEqual([
      { id: 'note1', text: '', position: { x: 10, y: 200 }, size: { width: 200, height: 120 }, color: 'yellow' },
    ]);
    s().updateNote(id, { text: 'Watch the rate' });
    s().updateNote(id, { size: { width: 260, height: 90 } });
    s().updateNote(id, { color: '#a0c4ff' });
    expect(doc().notes![0]).toEqual({
      id,
      text: 'Watch the rate',
      position: { x: 10, y: 200 },
      size: { width: 260, height: 90 },
      color: '#a0c4ff',
    });
    s().remove([], [], [id]);
    // Nothing left behind: the document reads as it did before any note.
    expect(doc()).toEqual(BASE);
    const steps: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      s().undo();
      steps.push(JSON.stringify(doc().notes?.[0] ?? null));
    }
    expect(steps.map((j) => JSON.parse(j!))).toEqual([
      { id, text: 'Watch the rate', position: { x: 10, y: 200 }, size: { width: 260, height: 90 }, color: '#a0c4ff' },
      { id, text: 'Watch the rate', position: { x: 10, y: 200 }, size: { width: 260, height: 90 }, color: 'yellow' },
      { id, text: 'Watch the rate', position: { x: 10, y: 200 }, size: { width: 200, height: 120 }, color: 'yellow' },
      { id, text: '', position: { x: 10, y: 200 }, size: { width: 200, height: 120 }, color: 'yellow' },
      null,
    ]);
  });
});

describe('groups in the document store', () => {
  it('groups a selection; a node moved into a new group leaves its old one, and an emptied group goes', () => {
    expect(s().groupNodes(['keep', 'out', 'ghost'], 'Output side')).toBe('group1');
    expect(doc().groups).toEqual([{ id: 'group1', label: 'Output side', color: 'blue', nodes: ['keep', 'out'] }]);
    expect(s().groupNodes(['gen', 'keep'])).toBe('group2');
    expect(doc().groups).toEqual([
      { id: 'group1', label: 'Output side', color: 'blue', nodes: ['out'] },
      { id: 'group2', label: 'Group 2', color: 'blue', nodes: ['gen', 'keep'] },
    ]);
    s().addToGroup('group2', ['out']);
    expect(doc().groups).toEqual([{ id: 'group2', label: 'Group 2', color: 'blue', nodes: ['gen', 'keep', 'out'] }]);
    expect(s().groupNodes(['ghost'])).toBeUndefined();
  });

  it('renames and recolours; ungrouping keeps the nodes; each is one undo step', () => {
    const g = s().groupNodes(['keep', 'out'])!;
    s().updateGroup(g, { label: 'Sinks', color: 'teal' });
    expect(doc().groups![0]).toMatchObject({ label: 'Sinks', color: 'teal' });
    s().remove([], [], [g]);
    expect(doc()).toEqual(BASE);
    s().undo();
    expect(doc().groups![0]).toMatchObject({ label: 'Sinks', color: 'teal' });
    s().undo();
    expect(doc().groups![0]).toMatchObject({ label: 'Group 1', color: 'blue' });
    s().undo();
    expect(doc()).toEqual(BASE);
  });

  it('a deleted node leaves its group, and the group goes with its last node, in the same step', () => {
    s().groupNodes(['keep', 'out']);
    s().remove(['keep'], []);
    expect(doc().groups).toEqual([{ id: 'group1', label: 'Group 1', color: 'blue', nodes: ['out'] }]);
    expect(doc().edges).toEqual([]);
    s().remove(['out'], []);
    expect(doc().groups).toBeUndefined();
    s().undo();
    expect(doc().groups).toEqual([{ id: 'group1', label: 'Group 1', color: 'blue', nodes: ['out'] }]);
  });

  it('a frame dropped 100 right and 50 down moves its members by that much, in one step, and nothing else', () => {
    s().groupNodes(['keep', 'out']);
    s().addNote({ x: 0, y: 300 });
    // The frame stood at (300 - 24, 0 - 24 - 32) before the drag: its box around the members (24 px pad, 32 px label strip).
    s().moveItems({ 'group:group1': { x: 376, y: -6 }, 'note:note1': { x: 5, y: 305 } }, new Map([['group:group1', { x: 276, y: -56 }]]));
    expect(doc().nodes.map((n) => [n.id, n.position])).toEqual([
      ['gen', { x: 0, y: 0 }],
      ['keep', { x: 400, y: 50 }],
      ['out', { x: 700, y: 90 }],
    ]);
    expect(doc().notes![0]!.position).toEqual({ x: 5, y: 305 });
    s().undo();
    expect(doc().nodes.map((n) => n.position)).toEqual(BASE.nodes.map((n) => n.position));
  });

  it('a member React Flow moved along with the frame (it was selected too) keeps its own drop', () => {
    const g = { id: 'g', label: 'G', nodes: ['keep', 'out'] };
    const moved = applyMoves(
      { ...BASE, groups: [g] },
      { 'group:g': { x: 10, y: 10 }, keep: { x: 310, y: 10 } },
      new Map([['group:g', { x: 0, y: 0 }]]),
    );
    expect(moved.nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 310, y: 10 },
      { x: 610, y: 50 },
    ]);
  });
});

describe('export and import', () => {
  it('an exported document with notes and groups imports with them unchanged', () => {
    s().groupNodes(['keep', 'out'], 'Output side');
    const id = s().addNote({ x: -50, y: 220 });
    s().updateNote(id, { text: 'Line one\nLine two <b>not bold</b>', color: 'pink' });
    // Export writes the store's document as JSON (editor-page.tsx exportDoc).
    const exported = `${JSON.stringify(doc(), null, 2)}\n`;
    const r = readDocumentText(exported);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.problems).toEqual([]);
    expect(r.document.notes).toEqual([
      {
        id: 'note1',
        text: 'Line one\nLine two <b>not bold</b>',
        position: { x: -50, y: 220 },
        size: { width: 200, height: 120 },
        color: 'pink',
      },
    ]);
    expect(r.document.groups).toEqual([{ id: 'group1', label: 'Output side', color: 'blue', nodes: ['keep', 'out'] }]);
    s().load(undefined, r.document);
    expect(doc()).toEqual(JSON.parse(exported));
  });

  it('an import naming a group member that is not a node lists the problem at its place', () => {
    const r = readDocumentText(JSON.stringify({ ...BASE, groups: [{ id: 'g', label: 'G', nodes: ['nope'] }] }));
    expect(r.ok && r.problems).toEqual(['document: groups[0].nodes[0]: "nope" is not a node of this document']);
  });
});
