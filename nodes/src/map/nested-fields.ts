/**
 * Writing and removing dotted fields (`user.country`) on map's fresh output objects. Reading is
 * shared (@sluice/shared fieldReader). Pure and browser-safe.
 */

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
