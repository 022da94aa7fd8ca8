/**
 * The set of values each condition matches, for the static checks: which rows an earlier row
 * hides (covers) and which rows can both match one event (overlap). Pure and browser-safe.
 *
 * An `expr` condition is an unknown, non-empty set: it covers and is covered only by the same
 * text (or `any`), and it overlaps `any` and the same text for sure, anything else maybe. The
 * checks warn only on certainties, so a table using expressions gets fewer warnings, never
 * wrong ones.
 */
import type { Condition, Row } from './definition.js';
import { timeMs } from './definition.js';

type Scalar = number | string | boolean | null;
type Ordered = number | string;
interface Bound {
  v: Ordered;
  inc: boolean;
}

export type ValueSet =
  | { k: 'all' }
  /** `=` and `in` (neg false): exactly these values; `!=` (neg true): all but these. */
  | { k: 'set'; neg: boolean; values: readonly Scalar[] }
  /** Ordering and `between`: never null; an absent bound is unbounded. */
  | { k: 'range'; lo?: Bound; hi?: Bound }
  | { k: 'expr'; source: string };

export type Tri = 'yes' | 'no' | 'maybe';

export function valueSet(c: Condition | undefined): ValueSet {
  if (!c || c.op === 'any') return { k: 'all' };
  switch (c.op) {
    case '=':
      return { k: 'set', neg: false, values: [c.value] };
    case '!=':
      return { k: 'set', neg: true, values: [c.value] };
    case 'in':
      return { k: 'set', neg: false, values: c.value };
    case '<':
      return { k: 'range', hi: { v: c.value, inc: false } };
    case '<=':
      return { k: 'range', hi: { v: c.value, inc: true } };
    case '>':
      return { k: 'range', lo: { v: c.value, inc: false } };
    case '>=':
      return { k: 'range', lo: { v: c.value, inc: true } };
    case 'between':
      return { k: 'range', lo: { v: c.value[0], inc: true }, hi: { v: c.value[1], inc: true } };
    case 'expr':
      return { k: 'expr', source: c.expression.trim() };
  }
}

function sameType(a: unknown, b: unknown): boolean {
  return typeof a === typeof b;
}

function inRange(x: Scalar, r: { lo?: Bound; hi?: Bound }): boolean {
  if (typeof x !== 'number' && typeof x !== 'string') return false;
  if (r.lo && (!sameType(x, r.lo.v) || (r.lo.inc ? x < r.lo.v : x <= r.lo.v))) return false;
  if (r.hi && (!sameType(x, r.hi.v) || (r.hi.inc ? x > r.hi.v : x >= r.hi.v))) return false;
  return true;
}

/** The only value of a range [x, x], if it is one. */
function point(r: { lo?: Bound; hi?: Bound }): Ordered | undefined {
  return r.lo && r.hi && r.lo.inc && r.hi.inc && r.lo.v === r.hi.v ? r.lo.v : undefined;
}

export function isEmpty(s: ValueSet): boolean {
  if (s.k === 'set') return !s.neg && s.values.length === 0;
  if (s.k !== 'range' || !s.lo || !s.hi || !sameType(s.lo.v, s.hi.v)) return false;
  return s.lo.v > s.hi.v || (s.lo.v === s.hi.v && !(s.lo.inc && s.hi.inc));
}

/** Can one value satisfy both? */
export function intersects(a: ValueSet, b: ValueSet): Tri {
  if (isEmpty(a) || isEmpty(b)) return 'no';
  if (a.k === 'all' || b.k === 'all') return 'yes';
  if (a.k === 'expr' || b.k === 'expr') return a.k === 'expr' && b.k === 'expr' && a.source === b.source ? 'yes' : 'maybe';
  if (a.k === 'set' && b.k === 'set') {
    if (a.neg && b.neg) return 'yes';
    if (!a.neg && !b.neg) return a.values.some((v) => b.values.includes(v)) ? 'yes' : 'no';
    const [pos, neg] = a.neg ? [b, a] : [a, b];
    return pos.values.some((v) => !neg.values.includes(v)) ? 'yes' : 'no';
  }
  if (a.k === 'range' && b.k === 'range') {
    const bounds = [a.lo, a.hi, b.lo, b.hi].filter((x) => x !== undefined);
    if (bounds.some((x) => !sameType(x.v, bounds[0]!.v))) return 'maybe';
    const lo = maxLo(a.lo, b.lo);
    const hi = minHi(a.hi, b.hi);
    return isEmpty({ k: 'range', lo, hi }) ? 'no' : 'yes';
  }
  const set = (a.k === 'set' ? a : b) as Extract<ValueSet, { k: 'set' }>;
  const range = (a.k === 'range' ? a : b) as Extract<ValueSet, { k: 'range' }>;
  if (!set.neg) return set.values.some((v) => inRange(v, range)) ? 'yes' : 'no';
  const p = point(range);
  return p !== undefined && set.values.includes(p) ? 'no' : 'yes';
}

function maxLo(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (!a || !b) return a ?? b;
  if (a.v !== b.v) return a.v > b.v ? a : b;
  return { v: a.v, inc: a.inc && b.inc };
}

function minHi(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (!a || !b) return a ?? b;
  if (a.v !== b.v) return a.v < b.v ? a : b;
  return { v: a.v, inc: a.inc && b.inc };
}

/** Does `outer` hold every value of `inner`, for sure? */
export function covers(outer: ValueSet, inner: ValueSet): boolean {
  if (outer.k === 'all' || isEmpty(inner)) return true;
  if (outer.k === 'expr' || inner.k === 'expr') return outer.k === 'expr' && inner.k === 'expr' && outer.source === inner.source;
  if (inner.k === 'all') return false;
  if (outer.k === 'set') {
    if (inner.k === 'set') {
      if (!outer.neg) return !inner.neg && inner.values.every((v) => outer.values.includes(v));
      return inner.neg ? outer.values.every((v) => inner.values.includes(v)) : inner.values.every((v) => !outer.values.includes(v));
    }
    if (!outer.neg) {
      const p = point(inner);
      return p !== undefined && outer.values.includes(p);
    }
    return outer.values.every((v) => !inRange(v, inner));
  }
  // outer is a range
  if (inner.k === 'set') return !inner.neg && inner.values.every((v) => inRange(v, outer));
  const bounds = [outer.lo, outer.hi, inner.lo, inner.hi].filter((x) => x !== undefined);
  if (bounds.some((x) => !sameType(x.v, bounds[0]!.v))) return false;
  if (outer.lo && (!inner.lo || inner.lo.v < outer.lo.v || (inner.lo.v === outer.lo.v && inner.lo.inc && !outer.lo.inc))) return false;
  if (outer.hi && (!inner.hi || inner.hi.v > outer.hi.v || (inner.hi.v === outer.hi.v && inner.hi.inc && !outer.hi.inc))) return false;
  return true;
}

/** The event times a row applies to: [from, until). */
export function rowTimes(row: Row): { from: number; until: number } {
  return {
    from: row.effectiveFrom === undefined ? Number.NEGATIVE_INFINITY : (timeMs(row.effectiveFrom) ?? Number.NEGATIVE_INFINITY),
    until: row.effectiveUntil === undefined ? Number.POSITIVE_INFINITY : (timeMs(row.effectiveUntil) ?? Number.POSITIVE_INFINITY),
  };
}

/** Does row `a` match every event row `b` matches (same columns, its times included)? */
export function rowCovers(a: Row, b: Row, columns: readonly string[]): boolean {
  const ta = rowTimes(a);
  const tb = rowTimes(b);
  if (ta.from > tb.from || ta.until < tb.until) return false;
  return columns.every((id) => covers(valueSet(a.when[id]), valueSet(b.when[id])));
}

/** Can one event match both rows? The columns that decide it are listed when it is maybe. */
export function rowsOverlap(a: Row, b: Row, columns: readonly string[]): Tri {
  const ta = rowTimes(a);
  const tb = rowTimes(b);
  if (Math.max(ta.from, tb.from) >= Math.min(ta.until, tb.until)) return 'no';
  let result: Tri = 'yes';
  for (const id of columns) {
    const t = intersects(valueSet(a.when[id]), valueSet(b.when[id]));
    if (t === 'no') return 'no';
    if (t === 'maybe') result = 'maybe';
  }
  return result;
}
