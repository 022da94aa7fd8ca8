import { describe, expect, it } from 'vitest';
import { fnv1a, keyPartitioner } from './partitioner.js';

describe('keyPartitioner', () => {
  it('sends a key to the same partition every time, in every process (FNV-1a of its text)', () => {
    const p = keyPartitioner(['k'], 4);
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    for (const k of ['a', 'b', 'campaign-7', '42']) expect(p({ k })).toBe(fnv1a(k) % 4);
    expect(p({ k: 'a' })).toBe(p({ k: 'a' }));
  });

  it('spreads keys over partitions', () => {
    const p = keyPartitioner(['k'], 4);
    const used = new Set(Array.from({ length: 100 }, (_, i) => p({ k: `key-${i}` })));
    expect(used.size).toBe(4);
  });

  it('puts everything in partition 0 with one partition or no key', () => {
    expect(keyPartitioner(['k'], 1)({ k: 'x' })).toBe(0);
    expect(keyPartitioner([], 4)({ k: 'x' })).toBe(0);
  });

  it('keys composite and nested fields', () => {
    const p = keyPartitioner(['user.country', 'tier'], 8);
    expect(p({ user: { country: 'FR' }, tier: 1 })).toBe(fnv1a('FR\u00001') % 8);
  });
});
