/** Key strings and (dotted) field access for the window operator. */
import type { Event } from '@sluice/shared';

export type KeyFn = (e: Event) => string;

export function readPath(path: string): (e: Event) => unknown {
  const parts = path.split('.');
  return (e) => {
    let v: unknown = e;
    for (const p of parts) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return null;
      v = (v as Record<string, unknown>)[p];
    }
    return v === undefined ? null : v;
  };
}

/** Strings key as themselves (the common case, no allocation); other values type-tagged. */
function encode(v: unknown): string {
  return typeof v === 'string' ? v : `\u0001${JSON.stringify(v ?? null)}`;
}

export function keyFunction(keyBy: readonly string[]): KeyFn {
  if (keyBy.length === 0) return () => '';
  const readers = keyBy.map(readPath);
  if (readers.length === 1) {
    const r = readers[0]!;
    return (e) => encode(r(e));
  }
  return (e) => readers.map((r) => encode(r(e))).join('\u0000');
}

/** Set a (dotted) field on a fresh output object, creating nested objects: `user.country`. */
export function setPath(o: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = o;
  for (const p of parts.slice(0, -1)) {
    if (typeof at[p] !== 'object' || at[p] === null) at[p] = {};
    at = at[p] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]!] = value;
}
