import { describe, expect, it } from 'vitest';
import { KeySlots } from './key-slots.js';

describe('key slots (interning lookup)', () => {
  it('finds every key whether its integer went to the table or to the map before the table covered it', () => {
    const slots = new KeySlots();
    // Too far ahead of the keys held for the table: kept in the map.
    slots.set(200_000, 0);
    for (let k = 0; k < 70_000; k++) slots.set(k, k + 1);
    slots.set(1.5, 70_001);
    slots.set('7', 70_002);
    expect(slots.size).toBe(70_003);
    expect(slots.get(200_000)).toBe(0);
    expect(slots.get(69_999)).toBe(70_000);
    expect(slots.get(-0)).toBe(1);
    expect(slots.get(1.5)).toBe(70_001);
    expect(slots.get('7')).toBe(70_002);
    expect(slots.get(7)).toBe(8);
    expect(slots.get(199_999)).toBe(-1);
    slots.delete(200_000);
    slots.delete(5);
    expect(slots.get(200_000)).toBe(-1);
    expect(slots.get(5)).toBe(-1);
    expect(slots.size).toBe(70_001);
    slots.clear();
    expect(slots.size).toBe(0);
    expect(slots.get(6)).toBe(-1);
  });
});
