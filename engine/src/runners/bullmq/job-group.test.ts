/** Which waiting jobs join the one in hand, and the key a claim pins them by (hand-computed). */
import { describe, expect, it } from 'vitest';
import type { BatchJob } from './batch-codec.js';
import { groupKey, isMember, parseGroupKey, pickNext } from './job-group.js';

const held: BatchJob = { edge: 'e1', from: 0, to: 0, seq: 5, wm: 10, n: 3 };
const channels = [
  { edge: 'e1', from: 0 },
  { edge: 'e1', from: 1 },
  { edge: 'e9', from: 0 },
];
// Applied: e1 from 0 up to 4 (the held job is 5), e1 from 1 up to 2, nothing from e9.
const applied = { 'e1#0': 4, 'e1#1': 2 };
// Queue order: e1/1 #3 (next), e1/0 #7 (early: 6 is not taken yet), e1/0 #6 (next after the
// held 5), e1/1 #2 (applied already), e9/0 #1 (next), e1/1 #4 (next after #3).
const waiting = ['e1.1.0.3', 'e1.0.0.7', 'e1.0.0.6', 'e1.1.0.2', 'e9.0.0.1', 'e1.1.0.4'];

describe('job groups', () => {
  it('takes the waiting jobs that come next in their channels, in queue order, skipping the others', () => {
    expect(pickNext(held, applied, channels, waiting, 10)).toEqual([
      { id: 'e1.1.0.3', edge: 'e1', from: 1, seq: 3 },
      { id: 'e1.0.0.6', edge: 'e1', from: 0, seq: 6 },
      { id: 'e9.0.0.1', edge: 'e9', from: 0, seq: 1 },
      { id: 'e1.1.0.4', edge: 'e1', from: 1, seq: 4 },
    ]);
  });

  it('stops at the bound', () => {
    expect(pickNext(held, applied, channels, waiting, 2).map((m) => m.id)).toEqual(['e1.1.0.3', 'e1.0.0.6']);
    expect(pickNext(held, applied, channels, waiting, 0)).toEqual([]);
  });

  it('takes nothing when no waiting job is next (an early one waits for its turn)', () => {
    expect(pickNext(held, applied, channels, ['e1.0.0.7', 'e1.1.0.1', 'x'], 10)).toEqual([]);
  });

  it('pins members by edge, from-partition and sequence number, in the order they are applied', () => {
    const key = groupKey([held, { edge: 'e1', from: 1, seq: 3 }]);
    expect(key).toBe('[["e1",0,5],["e1",1,3]]');
    expect(parseGroupKey(key)).toEqual([
      { edge: 'e1', from: 0, seq: 5 },
      { edge: 'e1', from: 1, seq: 3 },
    ]);
    expect(parseGroupKey('start')).toBeUndefined();
  });

  it('a job read by id must be the member its id promised (ids of different edges can collide)', () => {
    const m = { edge: 'a:b', from: 0, seq: 1 };
    expect(isMember({ edge: 'a:b', from: 0, to: 0, seq: 1, wm: 1, n: 0 }, m, 0)).toBe(true);
    expect(isMember({ edge: 'a_b', from: 0, to: 0, seq: 1, wm: 1, n: 0 }, m, 0)).toBe(false);
    expect(isMember({ edge: 'a:b', from: 0, to: 1, seq: 1, wm: 1, n: 0 }, m, 0)).toBe(false);
    expect(isMember(undefined, m, 0)).toBe(false);
  });
});
