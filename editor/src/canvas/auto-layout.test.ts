import { describe, expect, it } from 'vitest';
import { autoLayout } from './auto-layout';

describe('autoLayout', () => {
  it('puts each node one column right of its furthest input, branches in rows', () => {
    const doc = autoLayout({
      format: 'sluice/v1',
      nodes: ['src', 'a', 'b', 'join', 'sink'].map((id) => ({ id, type: 'filter', config: {} })),
      edges: [
        { id: '1', source: 'src', target: 'a' },
        { id: '2', source: 'src', target: 'b' },
        { id: '3', source: 'a', target: 'join' },
        { id: '4', source: 'b', target: 'join' },
        { id: '5', source: 'join', target: 'sink' },
      ],
    });
    const at = Object.fromEntries(doc.nodes.map((n) => [n.id, n.position]));
    expect(at.src).toEqual({ x: 40, y: 40 });
    expect(at.a).toEqual({ x: 310, y: 40 });
    expect(at.b).toEqual({ x: 310, y: 170 });
    expect(at.join!.x).toBe(580);
    expect(at.sink!.x).toBe(850);
  });
});
