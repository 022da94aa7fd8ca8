import { describe, expect, it } from 'vitest';
import { MAX_EVENT_DEPTH, tooDeepFields } from './event-depth.js';

/** `n` lists nested in one another: the innermost is at level n + 1 of an event holding it. */
function nested(n: number, inner: unknown = null): unknown {
  let v: unknown = inner;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

describe('event depth screen', () => {
  it('allows 64 levels (the event is level 1) and names every field that goes past them', () => {
    expect(MAX_EVENT_DEPTH).toBe(64);
    expect(tooDeepFields({ a: nested(63), b: 1, c: { d: 'x' } })).toBeUndefined();
    expect(tooDeepFields({ a: nested(64), b: nested(10), c: { d: nested(63) } })).toEqual(['a', 'c']);
    // Objects count like lists; a wide value is not a deep one.
    expect(tooDeepFields({ o: nested(62, { x: { y: 1 } }) })).toEqual(['o']);
    expect(tooDeepFields({ wide: Array.from({ length: 10_000 }, () => [[1]]) })).toBeUndefined();
    expect(tooDeepFields({ huge: nested(1_000_000) })).toEqual(['huge']);
  });
});
