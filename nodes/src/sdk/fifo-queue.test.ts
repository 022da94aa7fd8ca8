import { describe, expect, it } from 'vitest';
import { FifoQueue } from './fifo-queue.js';

describe('FifoQueue', () => {
  it('hands items out oldest first, in slices, across compactions', () => {
    const q = new FifoQueue<number>();
    for (let i = 0; i < 10_000; i++) q.push(i);
    const got: number[] = [];
    while (q.size > 0) got.push(...q.take(999));
    expect(got).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(q.take(5)).toEqual([]);
  });

  it('puts handed-back items before what is queued', () => {
    const q = new FifoQueue<string>();
    q.push('c');
    q.push('d');
    q.take(1);
    q.unshiftAll(['a', 'b']);
    expect(q.take(10)).toEqual(['a', 'b', 'd']);
  });
});
