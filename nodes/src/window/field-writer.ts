/**
 * Writing (dotted) fields of a window's output, compiled once per config so the per-event path
 * does no string splitting. Reading is shared (@sluice/shared fieldReader).
 */
export type FieldWriter = (o: Record<string, unknown>, value: unknown) => void;

/**
 * Sets a (dotted) field on a fresh output object, creating nested objects, so `user.country`
 * is written as `{ user: { country } }` and reads back with the same dotted name downstream.
 */
export function fieldWriter(path: string): FieldWriter {
  const parts = path.split('.');
  if (parts.length === 1 && !(path in Object.prototype)) return (o, value) => void (o[path] = value);
  const last = parts[parts.length - 1]!;
  const parents = parts.slice(0, -1);
  return (o, value) => {
    let at = o;
    for (const p of parents) {
      const next = Object.hasOwn(at, p) ? at[p] : undefined;
      if (next !== null && typeof next === 'object') {
        at = next as Record<string, unknown>;
      } else {
        const child: Record<string, unknown> = {};
        define(at, p, child);
        at = child;
      }
    }
    define(at, last, value);
  };
}

/** Defines an own property even for names such as `__proto__` (never touches a prototype). */
function define(o: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(o, name, { value, enumerable: true, writable: true, configurable: true });
}
