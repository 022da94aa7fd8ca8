/**
 * How expressions see event data: own properties only, `undefined` as null, never a function.
 * Events are plain JSON-like objects, but these reads hold for any object handed in.
 */

/** Names every plain object inherits: read only when the object itself has them. */
export const INHERITED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** `o[key]` if `o` is an object (not a list) that has `key` as its own property; otherwise null. */
export function readKey(o: unknown, key: string): unknown {
  // Lists are read by position only (tags[0]); len(tags) gives the length.
  if (o === null || typeof o !== 'object' || Array.isArray(o) || !Object.hasOwn(o, key)) return null;
  const v = (o as Record<string, unknown>)[key];
  return v === undefined || typeof v === 'function' ? null : v;
}

/** `list[i]` for an integer index inside the list, `o[key]` for a text key; otherwise null. */
export function readIndex(o: unknown, i: unknown): unknown {
  if (typeof i === 'string') return readKey(o, i);
  if (typeof i !== 'number' || !Array.isArray(o) || !Number.isInteger(i)) return null;
  const v: unknown = o[i < 0 ? o.length + i : i];
  return v === undefined || typeof v === 'function' ? null : v;
}

/**
 * Structural equality for lists and objects (own enumerable keys, order ignored); `===` for
 * everything else. Iterative, so deeply nested data cannot overflow the stack.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  const stack: unknown[] = [a, b];
  while (stack.length > 0) {
    const y = stack.pop();
    const x = stack.pop();
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
    const xa = Array.isArray(x);
    if (xa !== Array.isArray(y)) return false;
    if (xa) {
      const ya = y as unknown[];
      if (x.length !== ya.length) return false;
      for (let i = 0; i < x.length; i++) stack.push(x[i], ya[i]);
      continue;
    }
    const xk = Object.keys(x);
    if (xk.length !== Object.keys(y).length) return false;
    for (const k of xk) {
      if (!Object.hasOwn(y, k)) return false;
      stack.push((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]);
    }
  }
  return true;
}

/** Equality of the language: `===`, structural for lists and objects; no coercion (1 != "1"). */
export function equal(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && deepEqual(a, b));
}
