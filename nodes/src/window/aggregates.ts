/**
 * Aggregates, compiled once per config into slots of a window's accumulator arrays. A window's
 * accumulators are plain, JSON-serializable data (the runtime snapshots them) updated in place:
 *
 * - `n`: events in the window (the `count` aggregate needs no slot of its own);
 * - `x` (numbers only, so V8 keeps them unboxed): sum and count of values for `sum`/`avg`;
 *   smallest (largest) number and count of numbers for `min` (`max`); event time of the value
 *   kept by `first`/`last`;
 * - `v`: the smallest (largest) string for `min` (`max`), the value kept by `first`/`last`
 *   (null: none yet), and for `count_distinct` the values seen, as object keys:
 *   `{ s: strings, o: other values as JSON }`.
 *
 * Every op but `count` ignores null and missing values. `sum`/`avg` need numbers, `min`/`max`
 * numbers or strings: another value makes the whole event an error (see `read`).
 */
import { type Event, type FieldReader, fieldReader } from '@sluice/shared';
import type { AggregateOp, AggregateSpec } from './definition.js';

/** One open window and its accumulators (the unit of declared state, per key). */
export interface Win {
  /** window_start, window_end (epoch ms). */
  s: number;
  e: number;
  n: number;
  /** Latest INGEST_TIME of its events (0: none), for end-to-end latency downstream. */
  i: number;
  x: number[];
  v: unknown[];
}

/** Numbers of windows: a Win's own array, or a Float64Array column (exact for every double). */
export type Slots = number[] | Float64Array;

interface DistinctSet {
  s: Record<string, 1>;
  o: Record<string, 1>;
}

const COUNT = 0;
const SUM = 1;
const AVG = 2;
const MIN = 3;
const MAX = 4;
const DISTINCT = 5;
const FIRST = 6;
const LAST = 7;

const CODES: Record<AggregateOp, number> = {
  count: COUNT,
  sum: SUM,
  avg: AVG,
  min: MIN,
  max: MAX,
  count_distinct: DISTINCT,
  first: FIRST,
  last: LAST,
};
/** Slots each op takes in `x` and in `v`. */
const X_SLOTS = [0, 2, 2, 2, 2, 0, 1, 1];
const V_SLOTS = [0, 0, 0, 1, 1, 1, 1, 1];

/** The accumulators of a window that has none of that kind: never written, so shared. */
const NO_SLOTS = Object.freeze([]) as unknown as never[];

/** What `read` found for an aggregate: nothing (null, missing), a number, another value. */
const NONE = 0;
const NUMBER = 1;
const OTHER = 2;

function describe(v: unknown): string {
  const json = JSON.stringify(v);
  return `${Array.isArray(v) ? 'array' : typeof v}${json === undefined ? '' : ` ${json.length > 40 ? `${json.slice(0, 40)}…` : json}`}`;
}

export class Aggregates {
  /** Ops other than count, with their slots: the per-event loops skip count entirely. */
  private readonly codes: number[] = [];
  private readonly xs: number[] = [];
  private readonly vs: number[] = [];
  private readonly readers: FieldReader[] = [];
  private readonly labels: string[] = [];
  private readonly xSize: number;
  private readonly vCodes: number[] = [];
  /** Output writers in config order. */
  private readonly outputs: { name: string; code: number; x: number; v: number; label: string }[] = [];
  /** The current event's values, from `read`: numbers unboxed in `nums`, others in `vals`. */
  private readonly kinds: Uint8Array;
  private readonly nums: Float64Array;
  private readonly vals: unknown[];
  /** True when some aggregate reads a field (all but count). */
  readonly readsValues: boolean;

  constructor(specs: readonly AggregateSpec[]) {
    let x = 0;
    for (const spec of specs) {
      const code = CODES[spec.op];
      const slot = { name: spec.as, code, x, v: this.vCodes.length, label: `${spec.as}: ${spec.op}` };
      this.outputs.push(slot);
      for (let k = 0; k < V_SLOTS[code]!; k++) this.vCodes.push(code);
      if (code !== COUNT) {
        this.codes.push(code);
        this.xs.push(x);
        this.vs.push(slot.v);
        this.readers.push(fieldReader(spec.field ?? ''));
        this.labels.push(`${spec.as}: ${spec.op}`);
      }
      x += X_SLOTS[code]!;
    }
    this.xSize = x;
    this.readsValues = this.codes.length > 0;
    this.kinds = new Uint8Array(this.codes.length);
    this.nums = new Float64Array(this.codes.length);
    this.vals = this.codes.map(() => null);
  }

  /** Slots per window in `x` (numbers) and in `v` (other values). */
  get xSlots(): number {
    return this.xSize;
  }
  get vSlots(): number {
    return this.vCodes.length;
  }

  /** A new window's `v` slots at `vo` of `v`: null, or an empty set for count_distinct. */
  initValues(v: unknown[], vo: number): void {
    for (let k = 0; k < this.vCodes.length; k++) v[vo + k] = this.vCodes[k] === DISTINCT ? ({ s: {}, o: {} } satisfies DistinctSet) : null;
  }

  window(s: number, e: number): Win {
    // Sized up front (no spare slots); aggregates without slots (count) share one empty array.
    let x: number[] = NO_SLOTS;
    if (this.xSize > 0) {
      x = new Array(this.xSize);
      for (let k = 0; k < this.xSize; k++) x[k] = 0;
    }
    let v: unknown[] = NO_SLOTS;
    if (this.vCodes.length > 0) {
      v = new Array(this.vCodes.length);
      this.initValues(v, 0);
    }
    return { s, e, n: 0, i: 0, x, v };
  }

  /**
   * Reads the event's values for the next `add`; returns why the event cannot be aggregated (a
   * value of the wrong type) or undefined. Checked before any window changes, so a bad event
   * counts nowhere.
   */
  read(e: Event): string | undefined {
    const codes = this.codes;
    for (let j = 0; j < codes.length; j++) {
      const val = this.readers[j]!(e);
      const code = codes[j]!;
      if (val === null) {
        this.kinds[j] = NONE;
      } else if (typeof val === 'number' && code !== FIRST && code !== LAST) {
        // NaN or Infinity (from an expression upstream) would poison every window it joins.
        if (val - val !== 0) return `${this.labels[j]} needs finite numbers, got ${val}`;
        this.kinds[j] = NUMBER;
        this.nums[j] = val;
      } else {
        if (code === SUM || code === AVG) return `${this.labels[j]} needs numbers, got ${describe(val)}`;
        if ((code === MIN || code === MAX) && typeof val !== 'string')
          return `${this.labels[j]} needs numbers or strings, got ${describe(val)}`;
        this.kinds[j] = OTHER;
        this.vals[j] = val;
      }
    }
    return undefined;
  }

  /** Adds the event last `read` (at event time `t`) to a window. */
  add(w: Win, t: number, ingest: number | undefined): void {
    w.n++;
    if (ingest !== undefined && ingest > w.i) w.i = ingest;
    this.addAt(w.x, 0, w.v, 0, t);
  }

  /**
   * The accumulator part of `add`, on slots at `xo` of `x` and `vo` of `v`: a Win's own arrays
   * (offsets 0) or the columns of window-columns.ts (one record's slots in shared arrays).
   */
  addAt(x: Slots, xo: number, v: unknown[], vo: number, t: number): void {
    const codes = this.codes;
    const kinds = this.kinds;
    for (let j = 0; j < codes.length; j++) {
      const kind = kinds[j];
      if (kind === NONE) continue;
      const xk = xo + this.xs[j]!;
      switch (codes[j]) {
        case SUM:
        case AVG:
          x[xk]! += this.nums[j]!;
          x[xk + 1]!++;
          break;
        case MIN:
        case MAX: {
          const max = codes[j] === MAX;
          if (kind === NUMBER) {
            const n = this.nums[j]!;
            if (x[xk + 1] === 0 || (max ? n > x[xk]! : n < x[xk]!)) x[xk] = n;
            x[xk + 1]!++;
          } else {
            // Strings rank after every number: kept apart, compared among themselves.
            const k = vo + this.vs[j]!;
            const cur = v[k] as string | null;
            const val = this.vals[j] as string;
            if (cur === null || (max ? val > cur : val < cur)) v[k] = val;
          }
          break;
        }
        case DISTINCT: {
          const d = v[vo + this.vs[j]!] as DistinctSet;
          if (kind === NUMBER) d.o[this.nums[j]!] = 1;
          else addDistinct(d, this.vals[j]);
          break;
        }
        case FIRST: {
          // Equal event times: the earlier arrival stays first.
          const k = vo + this.vs[j]!;
          if (v[k] === null || t < x[xk]!) {
            v[k] = this.vals[j];
            x[xk] = t;
          }
          break;
        }
        case LAST: {
          // Equal event times: the later arrival becomes last.
          const k = vo + this.vs[j]!;
          if (v[k] === null || t >= x[xk]!) {
            v[k] = this.vals[j];
            x[xk] = t;
          }
          break;
        }
      }
    }
  }

  /**
   * After `read`: the sum of the magnitudes of the values `sum`/`avg` take from the event, or -1
   * when one is not an integer. A combiner folds only integers into a partial sum, whose
   * additions are then exact (below 2^53) in any grouping, as event by event (docs/combiner.md).
   */
  sumMagnitude(): number {
    const codes = this.codes;
    let m = 0;
    for (let j = 0; j < codes.length; j++) {
      if ((codes[j] !== SUM && codes[j] !== AVG) || this.kinds[j] !== NUMBER) continue;
      const n = this.nums[j]!;
      if (!Number.isInteger(n)) return -1;
      m += Math.abs(n);
    }
    return m;
  }

  /** Folds `from` into `into` (merging sessions); bounds are the caller's. */
  merge(into: Win, from: Win): void {
    into.n += from.n;
    if (from.i > into.i) into.i = from.i;
    this.mergeAt(into.x, 0, into.v, 0, from.x, 0, from.v, 0);
  }

  /**
   * The accumulator part of `merge`, on slots at offsets (see addAt): `fx`/`fv` at `fxo`/`fvo`
   * folded into `x`/`v` at `xo`/`vo` (a session into another, a combiner's partial row into a
   * window's record).
   */
  mergeAt(x: Slots, xo: number, v: unknown[], vo: number, fx: Slots, fxo: number, fv: readonly unknown[], fvo: number): void {
    const codes = this.codes;
    for (let j = 0; j < codes.length; j++) {
      const k = this.vs[j]!;
      const xk = xo + this.xs[j]!;
      const fk = fxo + this.xs[j]!;
      const theirs = fv[fvo + k];
      const code = codes[j]!;
      switch (code) {
        case SUM:
        case AVG:
          x[xk]! += fx[fk]!;
          x[xk + 1]! += fx[fk + 1]!;
          break;
        case MIN:
        case MAX: {
          const max = code === MAX;
          if (fx[fk + 1]! > 0 && (x[xk + 1] === 0 || (max ? fx[fk]! > x[xk]! : fx[fk]! < x[xk]!))) x[xk] = fx[fk]!;
          x[xk + 1]! += fx[fk + 1]!;
          const mine = v[vo + k] as string | null;
          if (theirs !== null && (mine === null || (max ? (theirs as string) > mine : (theirs as string) < mine))) v[vo + k] = theirs;
          break;
        }
        case DISTINCT: {
          const a = v[vo + k] as DistinctSet;
          const b = theirs as DistinctSet;
          Object.assign(a.s, b.s);
          Object.assign(a.o, b.o);
          break;
        }
        // Two sessions never hold events with the same time (they are disjoint), so no tie here.
        case FIRST:
        case LAST:
          if (theirs !== null && (v[vo + k] === null || (code === FIRST ? fx[fk]! < x[xk]! : fx[fk]! > x[xk]!))) {
            v[vo + k] = theirs;
            x[xk] = fx[fk]!;
          }
          break;
      }
    }
  }

  /**
   * Writes one field per aggregate, named by its `as`, in config order. Returns what went wrong
   * when a number could not be written (a sum past the largest number is Infinity, which JSON
   * would turn into a silent null): that field is written as null and the caller reports it.
   */
  write(w: Win, o: Record<string, unknown>): string | undefined {
    return this.writeAt(w.n, w.x, 0, w.v, 0, o);
  }

  /** `write` from slots at `xo` of `x` and `vo` of `v` (see addAt), `n` events. */
  writeAt(n: number, xs: Slots, xo: number, vs: unknown[], vo: number, o: Record<string, unknown>): string | undefined {
    let problem: string | undefined;
    for (const { name, code, x, v, label } of this.outputs) {
      let r: unknown;
      switch (code) {
        case COUNT:
          r = n;
          break;
        case SUM:
          r = xs[xo + x + 1] === 0 ? null : xs[xo + x];
          break;
        case AVG:
          r = xs[xo + x + 1] === 0 ? null : xs[xo + x]! / xs[xo + x + 1]!;
          break;
        // Mixed values order numbers before strings: min is the smallest number if any, max the
        // largest string if any.
        case MIN:
          r = xs[xo + x + 1]! > 0 ? xs[xo + x] : vs[vo + v];
          break;
        case MAX:
          r = vs[vo + v] !== null ? vs[vo + v] : xs[xo + x + 1]! > 0 ? xs[xo + x] : null;
          break;
        case DISTINCT: {
          const d = vs[vo + v] as DistinctSet;
          r = Object.keys(d.s).length + Object.keys(d.o).length;
          break;
        }
        default:
          r = vs[vo + v];
      }
      if (typeof r === 'number' && r - r !== 0) {
        problem = `${problem === undefined ? '' : `${problem}; `}${label} overflowed to ${r}`;
        r = null;
      }
      // defineProperty: an `as` such as "__proto__" is still an own field.
      if (name in Object.prototype) Object.defineProperty(o, name, { value: r, enumerable: true, writable: true, configurable: true });
      else o[name] = r;
    }
    return problem;
  }
}

/** Strings are keys of `s` as they are; other values (and "__proto__") are JSON in `o`. */
function addDistinct(d: DistinctSet, val: unknown): void {
  if (typeof val === 'string' && val !== '__proto__') d.s[val] = 1;
  else d.o[JSON.stringify(val) ?? 'null'] = 1;
}
