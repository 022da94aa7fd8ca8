/**
 * The one reader of dotted event fields (`user.country`), read as expressions read them
 * (docs/expressions.md): own properties of objects only. A missing field, a step through a
 * non-object or into a list (lists are read by position only, `tags[0]`, in an expression),
 * `undefined` and a function value all read as null. Expressions, map, enrich, a source's
 * `timeField`, the window's keys and aggregates, the engine's partitioner and the preview's diff
 * keys all read with it: a window and the partitioner feeding it always see the same key.
 */
import { INHERITED, readKey } from './expr/values.js';

export type FieldReader = (event: Readonly<Record<string, unknown>>) => unknown;

/** A reader of `path` (a split dotted name), specialized by length; built once per config. */
export function fieldPathReader(path: readonly string[]): FieldReader {
  const k0 = path[0]!;
  if (path.length === 1) {
    if (INHERITED.has(k0)) return (e) => readKey(e, k0);
    // Other names are not on Object.prototype, so on a plain (JSON-like) event they can only be
    // its own properties; a function value still reads as null.
    return (e) => {
      const v = e[k0];
      return v === undefined || typeof v === 'function' ? null : v;
    };
  }
  if (path.length === 2 && !INHERITED.has(k0) && !INHERITED.has(path[1]!)) {
    const k1 = path[1]!;
    // Same reasoning one level down, where lists are refused.
    return (e) => {
      const o = e[k0];
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return null;
      const v = (o as Record<string, unknown>)[k1];
      return v === undefined || typeof v === 'function' ? null : v;
    };
  }
  return (e) => {
    let v: unknown = e;
    for (let i = 0; i < path.length && v !== null; i++) v = readKey(v, path[i]!);
    return v;
  };
}

/** A reader of a dotted field name such as `user.country`. */
export function fieldReader(path: string): FieldReader {
  return fieldPathReader(path.split('.'));
}
