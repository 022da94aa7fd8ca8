/**
 * The safe default (docs/privacy.md): every field, at any depth, whose name looks personal
 * (`looksPersonal`) is redacted, unless the document reveals it or masks it with a rule of its
 * own. The event is copied only where something is masked; symbol stamps stay.
 */
import { type Event, looksPersonal, REDACTED } from '@sluice/shared';

export interface PersonalMaskOptions {
  /** Dotted paths shown as they are (the document's `reveal`, and fields its own rules mask). */
  skip: ReadonlySet<string>;
}

/** Deeper than this a value is left as it is: events are bounded (MAX_RECORD_DEPTH) well below it. */
const MAX_DEPTH = 64;

export type PersonalMask = (e: Event, masked?: Set<string>) => Event;

export function personalMask(o: PersonalMaskOptions): PersonalMask {
  // Field names repeat from event to event: decide each name once (bounded, so a stream of
  // ever-new names cannot grow it without limit).
  const verdicts = new Map<string, boolean>();
  const personal = (name: string): boolean => {
    let v = verdicts.get(name);
    if (v === undefined) {
      v = looksPersonal(name);
      if (verdicts.size < 10_000) verdicts.set(name, v);
    }
    return v;
  };

  const walk = (value: Record<string, unknown>, prefix: string, depth: number, masked?: Set<string>): Record<string, unknown> => {
    let out: Record<string, unknown> | undefined;
    // for-in, not Object.keys: no array per event on the recorder's hot path (events are plain
    // JSON objects: nothing enumerable is inherited). Paths are built only when needed.
    for (const k in value) {
      const v = value[k];
      let next = v;
      if (personal(k)) {
        if (v === null || v === undefined) continue;
        const path = prefix === '' ? k : `${prefix}.${k}`;
        if (o.skip.has(path)) continue;
        next = REDACTED;
        masked?.add(path);
      } else if (v !== null && typeof v === 'object' && depth < MAX_DEPTH) {
        const path = prefix === '' ? k : `${prefix}.${k}`;
        next = Array.isArray(v) ? walkList(v, path, depth + 1, masked) : walk(v as Record<string, unknown>, path, depth + 1, masked);
      }
      if (next !== v) {
        out ??= copy(value);
        out[k] = next;
      }
    }
    return out ?? value;
  };

  // List items share their list's path (`orders.email` for every order's email).
  const walkList = (list: unknown[], path: string, depth: number, masked?: Set<string>): unknown[] => {
    let out: unknown[] | undefined;
    list.forEach((item, i) => {
      if (item === null || typeof item !== 'object') return;
      const next = Array.isArray(item)
        ? walkList(item, path, depth + 1, masked)
        : walk(item as Record<string, unknown>, path, depth + 1, masked);
      if (next !== item) {
        out ??= list.slice();
        out[i] = next;
      }
    });
    return out ?? list;
  };

  return (e, masked) => walk(e as Record<string, unknown>, '', 0, masked) as Event;
}

function copy(o: Record<string, unknown>): Record<string, unknown> {
  // Object.assign copies own enumerable symbols too (event time and the other stamps).
  return Object.assign({}, o);
}
