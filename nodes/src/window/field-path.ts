/**
 * Reading and writing (dotted) event fields, compiled once per config so the per-event path
 * does no string splitting. A missing field, or a path through a non-object, reads as null.
 */
import type { Event } from '@sluice/shared';

export type FieldReader = (e: Event) => unknown;

/**
 * Own properties only. Plain objects inherit nothing but functions and `__proto__` from
 * Object.prototype, so a name that is not one of those can be read directly (no hasOwn call);
 * the few that are take the slow, checked path.
 */
function step(name: string): (o: Record<string, unknown>) => unknown {
  if (!(name in Object.prototype)) {
    return (o) => {
      const v = o[name];
      return v === undefined ? null : v;
    };
  }
  return (o) => (Object.hasOwn(o, name) ? (o[name] ?? null) : null);
}

export function fieldReader(path: string): FieldReader {
  const parts = path.split('.');
  const first = parts[0]!;
  if (parts.length === 1) return step(first) as FieldReader;
  const steps = parts.map(step);
  if (steps.length === 2) {
    const [a, b] = steps as [(o: Record<string, unknown>) => unknown, (o: Record<string, unknown>) => unknown];
    return (e) => {
      const v = a(e);
      return v !== null && typeof v === 'object' ? b(v as Record<string, unknown>) : null;
    };
  }
  return (e) => {
    let v: unknown = e;
    for (let i = 0; i < steps.length; i++) {
      if (v === null || typeof v !== 'object') return null;
      v = steps[i]!(v as Record<string, unknown>);
    }
    return v;
  };
}

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
