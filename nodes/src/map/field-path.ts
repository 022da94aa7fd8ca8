/**
 * Dotted field paths (`user.country`), as GRAPH_FORMAT.md reads fields: own properties only,
 * a missing step reads as null. Used by map (set/remove), enrich (`on`) and source.file
 * (`timeField`). Pure and browser-safe.
 */

export type Getter = (obj: Readonly<Record<string, unknown>>) => unknown;

/** A reader for `path`, built once per config (the common undotted case is one lookup). */
export function fieldGetter(path: string): Getter {
  const parts = path.split('.');
  if (parts.length === 1) return (o) => (Object.hasOwn(o, path) ? o[path] : null);
  return (o) => {
    let v: unknown = o;
    for (const p of parts) {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, p)) return null;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Sets `parts` (a split dotted path, length >= 2) on `target`, a fresh object owned by the
 * caller. Nested objects on the way are copied, never mutated (they may be shared with the
 * input event); a step that is missing or not an object is replaced by a new object.
 */
export function setNested(target: Record<string, unknown>, parts: readonly string[], value: unknown): void {
  let obj = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const cur = obj[key];
    const copy: Record<string, unknown> = isPlainObject(cur) ? { ...cur } : {};
    obj[key] = copy;
    obj = copy;
  }
  obj[parts[parts.length - 1]!] = value;
}

/** Removes `parts` (length >= 2) from `target` (fresh), copying the objects along the path. */
export function removeNested(target: Record<string, unknown>, parts: readonly string[]): void {
  let obj = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const cur = obj[key];
    if (!isPlainObject(cur)) return;
    const copy = { ...cur };
    obj[key] = copy;
    obj = copy;
  }
  const last = parts[parts.length - 1]!;
  if (Object.hasOwn(obj, last)) delete obj[last];
}
