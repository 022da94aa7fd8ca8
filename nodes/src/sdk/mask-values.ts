/**
 * The masking operations (docs/privacy.md), compiled once per rule list: the `mask` node runs
 * them on its events and the engine on what it records, taps and previews. Server-side only
 * (HMAC needs node:crypto). A value an op cannot mask (a word where `range` wants a number)
 * becomes null, never the original: masking fails closed.
 */
import { createHmac } from 'node:crypto';
import { type Event, fieldPathReader, type FieldReader, type MaskRule, REDACTED } from '@sluice/shared';

/** A value mask's answer meaning "remove the field". */
export const DROP: unique symbol = Symbol('drop');
export type ValueMask = (v: unknown) => unknown;

/** What HMAC and keep_last see of a value: its text. */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Epoch milliseconds (a number) or a date text (ISO 8601) -> YYYY-MM-DD in UTC. */
export function utcDay(v: unknown): string | null {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
}

/** `23` with width 10 -> "20-29" (or 20 with output "lower"); buckets start at multiples of the width. */
export function bucketOf(v: unknown, width: number, output: 'range' | 'lower' = 'range'): string | number | null {
  const n = numberOf(v);
  if (n === undefined) return null;
  const lo = Math.floor(n / width) * width;
  return output === 'lower' ? lo : `${lo}-${lo + width - 1}`;
}

/** Every character but the last `keep` replaced by `char`; a value no longer than `keep` is replaced whole. */
export function keepLast(v: unknown, keep: number, char = '*'): string | null {
  const s = textOf(v);
  if (s === undefined) return null;
  const chars = Array.from(s);
  if (chars.length <= keep) return char.repeat(chars.length);
  return char.repeat(chars.length - keep) + chars.slice(chars.length - keep).join('');
}

/** The mask of one rule; `secret` gives an hmac rule its key (and throws, naming it, when unset). */
export function valueMask(rule: MaskRule, secret: (name: string) => string): ValueMask {
  switch (rule.op) {
    case 'drop':
      return () => DROP;
    case 'redact':
      return () => REDACTED;
    case 'hmac': {
      if (!rule.keySecret) throw new Error(`mask "${rule.field}" (hmac): keySecret is required`);
      const key = secret(rule.keySecret);
      const length = rule.length ?? 64;
      return (v) => {
        const s = textOf(v) ?? JSON.stringify(v);
        return createHmac('sha256', key).update(s, 'utf8').digest('hex').slice(0, length);
      };
    }
    case 'keep_last': {
      const keep = rule.keep ?? 0;
      const char = rule.char ?? '*';
      return (v) => keepLast(v, keep, char);
    }
    case 'range': {
      if (!rule.width) throw new Error(`mask "${rule.field}" (range): width is required`);
      const width = rule.width;
      const output = rule.output ?? 'range';
      return (v) => bucketOf(v, width, output);
    }
    case 'day':
      return utcDay;
    default: {
      const never: never = rule.op;
      throw new Error(`unknown mask op ${String(never)}`);
    }
  }
}

interface CompiledRule {
  parts: string[];
  read: FieldReader;
  mask: ValueMask;
  drop: boolean;
}

export type EventMask = (e: Event) => Event;

/**
 * Applies `rules` in order. The input is never changed: the event (and each object on a
 * masked path) is copied once when a rule changes something; symbol stamps (event time) stay.
 * A missing or null field is left as it is (`drop` removes a null one).
 */
export function compileMask(rules: readonly MaskRule[], secret: (name: string) => string): EventMask {
  const compiled: CompiledRule[] = rules.map((r) => {
    const parts = r.field.split('.');
    return { parts, read: fieldPathReader(parts), mask: valueMask(r, secret), drop: r.op === 'drop' };
  });
  if (compiled.length === 0) return (e) => e;
  return (e) => {
    let out: Record<string, unknown> | undefined;
    let dropTop: Set<string> | undefined;
    for (const r of compiled) {
      const src = (out ?? e) as Record<string, unknown>;
      const v = r.read(src);
      if (v === null && !(r.drop && hasPath(src, r.parts))) continue;
      if (r.drop && r.parts.length === 1) {
        // Left out of the final copy at once (dropTop), not deleted.
        (dropTop ??= new Set()).add(r.parts[0]!);
        out ??= Object.assign({}, e) as Record<string, unknown>;
        continue;
      }
      out ??= Object.assign({}, e) as Record<string, unknown>;
      setPath(out, r.parts, r.drop ? DROP : r.mask(v));
    }
    if (!out) return e;
    return (dropTop ? without(out, dropTop) : out) as Event;
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function hasPath(o: Record<string, unknown>, parts: readonly string[]): boolean {
  let cur: unknown = o;
  for (const p of parts) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, p)) return false;
    cur = cur[p];
  }
  return true;
}

/** Sets (or, for DROP, removes) a nested field of `top` (already a copy), copying the objects on the way. */
function setPath(top: Record<string, unknown>, parts: readonly string[], value: unknown): void {
  let cur = top;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]!];
    if (!isPlainObject(next)) return; // read said the path exists; be safe if it did not
    const copy = Object.assign({}, next);
    cur[parts[i]!] = copy;
    cur = copy;
  }
  const last = parts[parts.length - 1]!;
  if (value === DROP) delete cur[last];
  else cur[last] = value;
}

/** A copy without top-level `keys` (not `delete`: that makes the object slow for every node after); symbols kept. */
function without(o: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (!keys.has(k)) r[k] = o[k];
  for (const s of Object.getOwnPropertySymbols(o)) (r as Record<symbol, unknown>)[s] = (o as Record<symbol, unknown>)[s];
  return r;
}
