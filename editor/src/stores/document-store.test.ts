import { beforeEach, describe, expect, it } from 'vitest';
import { connectionProblem, useDocument } from './document-store';

const doc = () => useDocument.getState().doc;

beforeEach(() => {
  useDocument.getState().setReadOnly(false);
  useDocument.getState().load(undefined, { format: 'sluice/v1', name: 'Test', nodes: [], edges: [] });
});

describe('document store', () => {
  it('adds nodes with unique ids and their type example config', () => {
    const a = useDocument.getState().addNode('filter', { x: 0, y: 0 });
    const b = useDocument.getState().addNode('filter', { x: 10, y: 0 });
    expect([a, b]).toEqual(['filter1', 'filter2']);
    expect(doc().nodes[0]!.config.expression).toBeTypeOf('string');
    expect(useDocument.getState().dirty).toBe(true);
  });

  it('undoes and redoes each change; a drag is one step', () => {
    const s = useDocument.getState();
    const id = s.addNode('sink.console', { x: 0, y: 0 });
    s.moveNode(id, { x: 5, y: 5 }, false);
    s.moveNode(id, { x: 9, y: 9 }, false);
    s.moveNode(id, { x: 10, y: 10 }, true);
    expect(doc().nodes[0]!.position).toEqual({ x: 10, y: 10 });
    s.undo();
    expect(doc().nodes[0]!.position).toEqual({ x: 9, y: 9 });
    s.undo();
    expect(doc().nodes).toEqual([]);
    s.redo();
    s.redo();
    expect(doc().nodes[0]!.position).toEqual({ x: 10, y: 10 });
  });

  it('a drop of several dragged nodes is one step and keeps the other nodes as they were', () => {
    const s = useDocument.getState();
    const a = s.addNode('source.generator', { x: 0, y: 0 });
    const b = s.addNode('filter', { x: 100, y: 0 });
    const c = s.addNode('sink.console', { x: 200, y: 0 });
    const untouched = doc().nodes[2];
    s.moveNodes({ [a]: { x: 10, y: 20 }, [b]: { x: 110, y: 20 } });
    expect(doc().nodes.map((n) => n.position)).toEqual([
      { x: 10, y: 20 },
      { x: 110, y: 20 },
      { x: 200, y: 0 },
    ]);
    // The same object: the canvas keeps its node and does not re-render it.
    expect(doc().nodes[2]).toBe(untouched);
    s.undo();
    expect(doc().nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 200, y: 0 },
    ]);
    expect(doc().nodes.map((n) => n.id)).toEqual([a, b, c]);
  });

  it('connects ports and refuses what cannot work, with the reason', () => {
    const s = useDocument.getState();
    const src = s.addNode('source.generator', { x: 0, y: 0 });
    const f = s.addNode('filter', { x: 0, y: 0 });
    const sink = s.addNode('sink.console', { x: 0, y: 0 });
    expect(s.connect({ source: src, target: f })).toBeUndefined();
    expect(s.connect({ source: f, target: sink })).toBeUndefined();
    expect(doc().edges).toHaveLength(2);
    expect(s.connect({ source: f, target: src })).toMatch(/source/);
    expect(s.connect({ source: sink, target: f })).toMatch(/sink/);
    const g = s.addNode('filter', { x: 0, y: 0 });
    s.connect({ source: f, target: g });
    expect(connectionProblem(doc(), { source: g, target: f })).toMatch(/cycle/);
    expect(s.connect({ source: src, target: f })).toMatch(/already/);
  });

  it('a save marks the document clean only if nothing changed while it was out', () => {
    const s = useDocument.getState();
    s.addNode('filter', { x: 0, y: 0 });
    const sent = doc();
    // An edit lands while the request is out: the answer must not hide it from the next autosave.
    s.addNode('sink.console', { x: 10, y: 0 });
    useDocument.getState().markSaved(sent);
    expect(useDocument.getState().dirty).toBe(true);
    useDocument.getState().markSaved(doc());
    expect(useDocument.getState().dirty).toBe(false);
  });

  it('removing a node removes its edges', () => {
    const s = useDocument.getState();
    const src = s.addNode('source.generator', { x: 0, y: 0 });
    const f = s.addNode('filter', { x: 0, y: 0 });
    s.connect({ source: src, target: f });
    s.remove([f], []);
    expect(doc().nodes.map((n) => n.id)).toEqual([src]);
    expect(doc().edges).toEqual([]);
  });

  it('copies nodes with the edges between them and pastes them with fresh ids, offset', () => {
    const s = useDocument.getState();
    const src = s.addNode('source.generator', { x: 0, y: 0 });
    const f = s.addNode('filter', { x: 100, y: 0 });
    const sink = s.addNode('sink.console', { x: 200, y: 0 });
    s.connect({ source: src, target: f });
    s.connect({ source: f, target: sink });
    const clip = s.copy([f, sink]);
    expect(clip.edges).toHaveLength(1);
    const pasted = s.paste(clip);
    expect(pasted).toEqual(['filter1_copy', 'console1_copy']);
    const copy = doc().nodes.find((n) => n.id === 'filter1_copy')!;
    expect(copy.position).toEqual({ x: 140, y: 40 });
    expect(doc().edges.filter((e) => e.source === 'filter1_copy')).toEqual([expect.objectContaining({ target: 'console1_copy' })]);
    expect(s.paste(clip)).toEqual(['filter1_copy2', 'console1_copy2']);
    s.undo();
    expect(doc().nodes.some((n) => n.id === 'filter1_copy2')).toBe(false);
  });

  it('read-only refuses every edit and leaves the document and its history as they were', () => {
    const s = useDocument.getState();
    const src = s.addNode('source.generator', { x: 0, y: 0 });
    const f = s.addNode('filter', { x: 100, y: 0 });
    const before = doc();
    s.setReadOnly(true);
    expect(s.addNode('sink.console', { x: 0, y: 0 })).toBe('');
    s.updateNode(f, { label: 'changed' });
    s.moveNode(f, { x: 5, y: 5 }, false);
    s.moveNode(f, { x: 6, y: 6 }, true);
    s.moveNodes({ [f]: { x: 7, y: 7 } });
    s.remove([src], []);
    expect(s.connect({ source: src, target: f })).toBe('this pipeline is read-only for you');
    expect(s.paste(s.copy([f]))).toEqual([]);
    s.undo();
    s.change((d) => ({ ...d, name: 'renamed' }));
    expect(doc()).toBe(before);
    expect(useDocument.getState().past).toHaveLength(2);
    s.setReadOnly(false);
    s.undo();
    expect(doc().nodes.map((n) => n.id)).toEqual([src]);
  });
});
