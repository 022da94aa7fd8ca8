/**
 * A keyed window runs as P partitions: the partitioner must send every event of one window key
 * to one partition, or the key's state is split and its windows come out twice, each partial.
 * Both read the key's (dotted) fields: they must read them the same way, and as map and the
 * expressions do (docs/expressions.md: own properties only, lists by position only, so a dotted
 * step into a list reads null).
 */
import { type Event, fieldReader } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { keyPartitioner } from '@sluice/engine/testing';
import { keyFunction } from '../../nodes/src/sdk/state-key.js';

/** Events that differ only where the window sees no difference (all read their key as null). */
const nullKeyed: Record<string, Event[]> = {
  'user.country': [{}, { user: {} }, { user: { country: null } }, { user: { country: undefined } }, { user: ['FR'] }, { user: 'FR' }],
  country: [{}, { country: null }, { country: undefined }],
  'tags.0': [{ tags: ['a'] }, { tags: ['b'] }, { tags: [] }, {}],
  'tags.length': [{ tags: ['a'] }, { tags: ['a', 'b'] }, {}],
};

describe('a window and its partitioner', () => {
  for (const [path, events] of Object.entries(nullKeyed)) {
    it(`read ${path} alike: one window key, one partition`, () => {
      const windowKey = keyFunction([path]);
      expect(new Set(events.map(windowKey)).size).toBe(1);
      for (const partitions of [2, 3, 4, 8]) {
        const partition = keyPartitioner([path], partitions);
        expect(new Set(events.map(partition)), `${partitions} partitions`).toEqual(new Set([partition({})]));
      }
    });
  }

  it('read a dotted field as map and the expressions do: through objects, never into a list', () => {
    const read = fieldReader('user.country');
    expect(read({ user: { country: 'FR' } })).toBe('FR');
    expect(read({ user: [{ country: 'FR' }] })).toBeNull();
    expect(fieldReader('tags.0')({ tags: ['a'] })).toBeNull();
    expect(fieldReader('tags.length')({ tags: ['a'] })).toBeNull();
    expect(fieldReader('constructor')({})).toBeNull();
    expect(fieldReader('user.toString')({ user: {} })).toBeNull();
    expect(fieldReader('a.b.c')({ a: { b: { c: 0 } } })).toBe(0);
  });

  it('still tell different keys apart', () => {
    const windowKey = keyFunction(['user.country']);
    expect(windowKey({ user: { country: 'FR' } })).not.toBe(windowKey({ user: { country: 'DE' } }));
    expect(windowKey({ user: { country: 1 } })).not.toBe(windowKey({ user: { country: '1' } }));
  });
});
