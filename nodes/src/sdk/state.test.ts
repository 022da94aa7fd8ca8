import { describe, expect, it } from 'vitest';
import { MemoryStateRegistry } from './state.js';

describe('tracked keyed state (BullMQ commits only what changed)', () => {
  it('reports keys set, read (values are mutated in place) and deleted since the last markClean', () => {
    const reg = new MemoryStateRegistry({ track: true });
    const s = reg.keyed<{ n: number }>('windows');
    s.set('a', { n: 1 });
    s.set('b', { n: 2 });
    s.set('c', { n: 3 });
    reg.markClean();
    expect(reg.keyedChanges()).toEqual({});
    s.get('a')!.n = 10; // in place, after a get
    s.delete('b');
    s.set('d', { n: 4 });
    s.has('c'); // has does not hand out the value: no change
    expect(reg.keyedChanges()).toEqual({
      windows: {
        set: [
          ['a', { n: 10 }],
          ['d', { n: 4 }],
        ],
        deleted: ['b'],
      },
    });
    reg.markClean();
    expect(reg.keyedChanges()).toEqual({});
  });

  it('marks every key when values are iterated, and nothing after a restore', () => {
    const reg = new MemoryStateRegistry({ track: true });
    const s = reg.keyed<number>('k');
    reg.restore({
      k: {
        kind: 'keyed',
        entries: [
          ['x', 1],
          ['y', 2],
        ],
      },
      wm: { kind: 'value', value: 5 },
    });
    expect(reg.keyedChanges()).toEqual({});
    for (const [, v] of s.entries()) expect(v).toBeGreaterThan(0);
    expect(reg.keyedChanges()).toEqual({
      k: {
        set: [
          ['x', 1],
          ['y', 2],
        ],
        deleted: [],
      },
    });
  });

  it('snapshots with keyed stores listed but empty when asked (the commit head)', () => {
    const reg = new MemoryStateRegistry({ track: true });
    reg.keyed<number>('k').set('x', 1);
    reg.value('wm', 0).set(7);
    expect(reg.snapshot({ keyed: false })).toEqual({ k: { kind: 'keyed', entries: [] }, wm: { kind: 'value', value: 7 } });
    expect(reg.snapshot()).toEqual({ k: { kind: 'keyed', entries: [['x', 1]] }, wm: { kind: 'value', value: 7 } });
    // Taking a snapshot is not a change.
    reg.markClean();
    reg.snapshot();
    expect(reg.keyedChanges()).toEqual({});
  });

  it('refuses keyedChanges on an untracked registry', () => {
    const reg = new MemoryStateRegistry();
    reg.keyed('k');
    expect(() => reg.keyedChanges()).toThrow(/track: true/);
  });
});
