import { describe, expect, it } from 'vitest';
import { comparePair, toggleCompare } from './version-selection';

describe('picking two versions to compare', () => {
  it('keeps the last two ticks and unticks on a second click', () => {
    let s: number[] = [];
    s = toggleCompare(s, 5);
    expect(comparePair(s)).toBeUndefined();
    s = toggleCompare(s, 2);
    expect(s).toEqual([5, 2]);
    expect(comparePair(s)).toEqual([2, 5]);
    s = toggleCompare(s, 7);
    expect(s).toEqual([2, 7]);
    s = toggleCompare(s, 2);
    expect(s).toEqual([7]);
    expect(comparePair(s)).toBeUndefined();
  });
});
