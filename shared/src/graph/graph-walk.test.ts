import { describe, expect, it } from 'vitest';
import { findCycles, reachable, successors, topologicalOrder } from './graph-walk.js';

const links = (pairs: string) => pairs.split(' ').map((p) => ({ source: p[0]!, target: p[1]! }));

describe('graph walks', () => {
  it('orders upstream first and leaves out what a cycle holds back', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const next = successors(ids, links('ab bc cb cd ae'));
    expect(topologicalOrder(ids, next)).toEqual(['a', 'e']);
  });

  it('finds one cycle per strongly connected part, self-loops included, downstream nodes excluded', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const next = successors(ids, links('ab bc ca cd de ed ff fg'));
    expect(findCycles(ids, next)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['d', 'e', 'd'],
      ['f', 'f'],
    ]);
  });

  it('walks a long chain without overflowing the stack', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => `n${i}`);
    const chain = ids.slice(1).map((id, i) => ({ source: ids[i]!, target: id }));
    const next = successors(ids, [...chain, { source: 'n49999', target: 'n0' }]);
    expect(findCycles(ids, next)[0]).toHaveLength(50_001);
    expect(reachable(['n10'], successors(ids, chain)).size).toBe(49_990);
  });
});
