/** A group's frame is the box around its members' nodes, padded, with a label strip on top. */
import { describe, expect, it } from 'vitest';
import { annotationNodes, frameBox } from './annotation-nodes';

describe('frameBox', () => {
  it('wraps the members (measured or estimated 215x47) with 24 px around and 32 px for the label', () => {
    const at: Record<string, { x: number; y: number }> = { a: { x: 300, y: 0 }, b: { x: 600, y: 40 } };
    const box = frameBox({ id: 'g', label: 'G', nodes: ['a', 'b', 'gone'] }, (id) => at[id], new Map([['b', { width: 200, height: 80 }]]));
    // x 300..800, y 0..120
    expect(box).toEqual({ position: { x: 276, y: -56 }, width: 548, height: 200 });
    expect(frameBox({ id: 'g', label: 'G', nodes: ['gone'] }, (id) => at[id], new Map())).toBeUndefined();
  });

  it('follows a member being dragged, while its drag origin stays where the document has it', () => {
    const r = annotationNodes({
      notes: [],
      groups: [{ id: 'g', label: 'G', color: 'teal', nodes: ['a'] }],
      specs: [{ id: 'a', type: 'filter', position: { x: 0, y: 0 }, config: {} }],
      dragging: new Map([['a', { x: 100, y: 10 }]]),
      measured: new Map([['a', { width: 200, height: 50 }]]),
      selected: undefined,
      resizing: new Map(),
    });
    expect(r.frames.map((f) => [f.id, f.position, f.width, f.height, f.zIndex])).toEqual([['group:g', { x: 76, y: -46 }, 248, 130, -1]]);
    expect(r.origins.get('group:g')).toEqual({ x: -24, y: -56 });
  });
});
