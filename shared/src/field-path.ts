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
    return topFieldReader(k0);
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

/**
 * Readers of one top-level field, from eight copies of one function literal. V8 keeps type
 * feedback per literal (closures made by one literal share it): with one literal for every
 * field name, `e[k]` sees every name read anywhere and goes megamorphic, about 2x slower per
 * read than the property load it is with one name. So the first names met get a literal each;
 * the rest share the last one, as all did before.
 */
const TOP_LITERALS: ((k: string) => FieldReader)[] = [
  (k) => (e) => plain(e[k]),
  (k) => (e) => plain(e[k]),
  (k) => (e) => plain(e[k]),
  (k) => (e) => plain(e[k]),
  (k) => (e) => plain(e[k]),
  (k) => (e) => plain(e[k]),
  (k) => (e) => plain(e[k]),
  (k) => (e) => plain(e[k]),
];
const literalOf = new Map<string, number>();

function plain(v: unknown): unknown {
  return v === undefined || typeof v === 'function' ? null : v;
}

function topFieldReader(k: string): FieldReader {
  let i = literalOf.get(k);
  if (i === undefined) {
    i = Math.min(literalOf.size, TOP_LITERALS.length - 1);
    if (literalOf.size < TOP_LITERALS.length - 1) literalOf.set(k, i);
  }
  return TOP_LITERALS[i]!(k);
}

/** A reader of a dotted field name such as `user.country`. */
export function fieldReader(path: string): FieldReader {
  return fieldPathReader(path.split('.'));
}
