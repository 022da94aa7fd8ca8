import type { NodeSpec } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { flowNodes } from './flow-nodes';

const specs: NodeSpec[] = [
  { id: 'a', type: 'source.generator', position: { x: 0, y: 0 }, config: { scenario: 'sensors' } },
  { id: 'b', type: 'filter', label: 'Hot', position: { x: 240, y: 0 }, config: { expression: 'temperature > 30' } },
  { id: 'c', type: 'sink.console', position: { x: 480, y: 0 }, config: {} },
];
const none = new Set<string>();
const noDrag = new Map<string, { x: number; y: number }>();

// React Flow re-renders a node when its object changes: these identities are what re-renders.
describe('flow nodes', () => {
  it('builds one React Flow node per document node with its label, config and flags', () => {
    const { nodes } = flowNodes(new Map(), specs, new Set(['b']), new Set(['c']), noDrag);
    expect(nodes.map((n) => [n.id, n.type, n.position, n.selected, n.data.label, n.data.invalid])).toEqual([
      ['a', 'sluice', { x: 0, y: 0 }, false, 'a', false],
      ['b', 'sluice', { x: 240, y: 0 }, true, 'Hot', false],
      ['c', 'sluice', { x: 480, y: 0 }, false, 'c', true],
    ]);
    expect(nodes[1]!.data.config).toBe(specs[1]!.config);
  });

  it('a drag step replaces only the dragged node, at the dragged position, and keeps its data', () => {
    const first = flowNodes(new Map(), specs, none, none, noDrag);
    const step = flowNodes(first.cache, specs, none, none, new Map([['b', { x: 300, y: 40 }]]));
    expect(step.nodes[0]).toBe(first.nodes[0]);
    expect(step.nodes[2]).toBe(first.nodes[2]);
    expect(step.nodes[1]).not.toBe(first.nodes[1]);
    expect(step.nodes[1]!.position).toEqual({ x: 300, y: 40 });
    expect(step.nodes[1]!.data).toBe(first.nodes[1]!.data);
    // The next step with no change of position keeps the object too.
    const same = flowNodes(step.cache, specs, none, none, new Map([['b', step.nodes[1]!.position]]));
    expect(same.nodes[1]).toBe(step.nodes[1]);
  });

  it('the drop (a new document node) replaces that node only; a selection replaces the selected one only', () => {
    const first = flowNodes(new Map(), specs, none, none, noDrag);
    const moved = specs.map((s) => (s.id === 'a' ? { ...s, position: { x: 5, y: 5 } } : s));
    const dropped = flowNodes(first.cache, moved, none, none, noDrag);
    expect(dropped.nodes.map((n, i) => n === first.nodes[i])).toEqual([false, true, true]);
    expect(dropped.nodes[0]!.position).toEqual({ x: 5, y: 5 });
    // Only the position changed: the node component keeps its data and does not re-render.
    expect(dropped.nodes[0]!.data).toBe(first.nodes[0]!.data);
    // Undo (a position from the document, no drag) moves it back.
    const undone = flowNodes(dropped.cache, specs, none, none, noDrag);
    expect(undone.nodes[0]!.position).toEqual({ x: 0, y: 0 });
    const selected = flowNodes(dropped.cache, moved, new Set(['c']), none, noDrag);
    expect(selected.nodes.map((n, i) => n === dropped.nodes[i])).toEqual([true, true, false]);
    expect(selected.nodes[2]!.data).toBe(dropped.nodes[2]!.data);
  });

  it('a node that becomes invalid gets new data; the others keep theirs', () => {
    const first = flowNodes(new Map(), specs, none, none, noDrag);
    const next = flowNodes(first.cache, specs, none, new Set(['a']), noDrag);
    expect(next.nodes[0]!.data.invalid).toBe(true);
    expect(next.nodes.map((n, i) => n.data === first.nodes[i]!.data)).toEqual([false, true, true]);
    // Only the new node object is named as changed (the canvas makes sure React Flow measures it).
    expect(first.changed).toEqual(['a', 'b', 'c']);
    expect(next.changed).toEqual(['a']);
  });

  it('a new node object carries the size React Flow measured, so React Flow does not measure it again', () => {
    const first = flowNodes(new Map(), specs, none, none, noDrag);
    expect(first.nodes[1]!.measured).toBeUndefined();
    const sizes = new Map([['b', { width: 215, height: 47 }]]);
    const step = flowNodes(first.cache, specs, none, none, new Map([['b', { x: 300, y: 40 }]]), sizes);
    expect(step.nodes[1]!.measured).toEqual({ width: 215, height: 47 });
    // A node with no new size keeps its object.
    expect(step.nodes[0]).toBe(first.nodes[0]);
    // A newly measured size makes a new object that carries it (the minimap draws a node from it), once.
    const aSized = new Map([...sizes, ['a', { width: 215, height: 63 }]]);
    const drag = new Map([['b', step.nodes[1]!.position]]);
    const sized = flowNodes(step.cache, specs, none, none, drag, aSized);
    expect(sized.nodes[0]!.measured).toEqual({ width: 215, height: 63 });
    expect(sized.changed).toEqual(['a']);
    expect(flowNodes(sized.cache, specs, none, none, drag, aSized).changed).toEqual([]);
    // A node that grows later (its live numbers) keeps its object: React Flow follows the real size.
    const grown = flowNodes(sized.cache, specs, none, none, drag, new Map([...aSized, ['a', { width: 215, height: 79 }]]));
    expect(grown.changed).toEqual([]);
  });

  it('big graphs: a node not yet measured gets an estimated size and handles, so React Flow need not draw it to place its edges', () => {
    const sizes = new Map([['a', { width: 215, height: 60 }]]);
    const first = flowNodes(new Map(), specs, none, none, noDrag, new Map(), true);
    expect(first.nodes[0]!.handles).toHaveLength(1);
    // After React Flow measured a (and a is selected): its size, no more estimates.
    const { nodes } = flowNodes(first.cache, specs, new Set(['a']), none, noDrag, sizes, true);
    expect(nodes[0]!.handles).toBeUndefined();
    expect(nodes[0]!.measured).toEqual({ width: 215, height: 60 });
    expect(nodes[1]!.initialWidth).toBe(215);
    // As its measured size too: React Flow fits the view only once every node has one.
    expect(nodes[1]!.measured).toEqual({ width: 215, height: 47 });
    // A filter: its input at the left, out and error at the right, centred 24 and 40 px from the top.
    expect(nodes[1]!.handles).toEqual([
      { id: 'in', type: 'target', position: 'left', x: -4, y: 20, width: 8, height: 8 },
      { id: 'out', type: 'source', position: 'right', x: 211, y: 20, width: 8, height: 8 },
      { id: 'error', type: 'source', position: 'right', x: 211, y: 36, width: 8, height: 8 },
    ]);
    // A changed config is measured again (its ports may differ): no size, no estimate.
    const measured = new Map([['b', { width: 215, height: 47 }]]);
    const before = flowNodes(new Map(), specs, none, none, noDrag, measured, true);
    const edited = specs.map((s) => (s.id === 'b' ? { ...s, config: { expression: 'temperature > 40' } } : s));
    const after = flowNodes(before.cache, edited, none, none, noDrag, measured, true);
    expect(after.nodes[1]!.measured).toBeUndefined();
    expect(after.nodes[1]!.handles).toBeUndefined();
  });
});
