/**
 * The window's combiner (docs/combiner.md): on the sending side of a keyed exchange, folds the
 * events of one batch into one partial row per (key, window), which WindowOperator merges as if
 * it had taken the events. Only for configs the definition's `combines` accepts (tumbling;
 * count, sum, avg, min, max; `late` port not connected). Stateless across batches: checkpoints,
 * retries and exactly-once see deterministic batches, as before.
 *
 * An event is folded only when the window would take it as the partial's other events: an event
 * it refuses is sent on as it is, in its place, and the window decides about it alone:
 * - a time that is not a finite number, or a value an aggregate cannot take (the window's error);
 * - a key JavaScript cannot handle (nested too deep to write as JSON: the window's error);
 * - late by its own source-watermark stamp (the window counts it late, as it came);
 * - for sum/avg, a value that is not an integer, or one that would take the group's sum of
 *   magnitudes past 2^53: integer additions below that are exact in any grouping, so the
 *   window's sum is the one it makes event by event (floating-point additions are not).
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { isEventFailure } from '../sdk/error-event.js';
import type { Combiner, CombinerFactory } from '../sdk/operator.js';
import type { Aggregates } from './aggregates.js';
import { latestStart } from './assigners.js';
import type { WindowConfig } from './definition.js';
import type { InternKey } from './intern-key.js';
import { PARTIAL_COUNT, slotFields } from './partial-row.js';
import { WindowSetup } from './window-setup.js';

const NONE = -1;
/** Integer sums whose magnitudes add up to at most this are exact whatever the grouping. */
const EXACT_SUM = 2 ** 53;

type Row = Record<string | symbol, unknown>;

export const windowCombiner: CombinerFactory<WindowConfig> = (c) => new WindowCombiner(c);

export class WindowCombiner implements Combiner {
  /** Durations, aggregates and key readers as the window's own (window-setup.ts). */
  private readonly setup: WindowSetup;
  private readonly size: number;
  private readonly lateness: number;
  private readonly aggs: Aggregates;
  private readonly sums: boolean;
  private readonly xs: number;
  private readonly vs: number;
  private readonly xFields: readonly string[];
  private readonly vFields: readonly string[];
  /** Per key, its newest group; a key's groups (one per window) chain through `older`. */
  private readonly byKey = new Map<InternKey, number>();
  // Groups of this batch, by number: window start, events, latest ingest, sum of magnitudes.
  private rows: Row[] = [];
  private start: number[] = [];
  private n: number[] = [];
  private ingest: number[] = [];
  private magnitude: number[] = [];
  private older: number[] = [];
  private x = new Float64Array(256);
  private v: unknown[] = [];
  /** What drain returns: partial rows (filled then) and passed events, in order. */
  private out: Event[] = [];
  private lastStart = Number.NaN;

  constructor(c: WindowConfig) {
    if (c.type !== 'tumbling' || c.size === undefined) throw new Error('window: only tumbling windows combine');
    this.setup = new WindowSetup(c);
    this.size = this.setup.size;
    this.lateness = this.setup.lateness;
    this.aggs = this.setup.aggs;
    this.sums = c.aggregates.some((a) => a.op === 'sum' || a.op === 'avg');
    this.xs = this.aggs.xSlots;
    this.vs = this.aggs.vSlots;
    const fields = slotFields(c);
    // The definition names the fields from the same rule: a mismatch is a bug, not a run's.
    if (fields.x.length !== this.xs || fields.v.length !== this.vs)
      throw new Error('window: partial row fields do not match the accumulators');
    this.xFields = fields.x;
    this.vFields = fields.v;
  }

  offer(e: Event): boolean {
    const t = e[EVENT_TIME] ?? 0;
    if (t - t !== 0) return false;
    const aggs = this.aggs;
    if (aggs.readsValues && aggs.read(e) !== undefined) return false;
    let start = this.lastStart;
    if (!(t >= start && t < start + this.size)) this.lastStart = start = latestStart(t, this.size);
    const sw = e[SOURCE_WATERMARK];
    if (sw !== undefined && start + this.size + this.lateness <= sw) return false;
    let m = 0;
    if (this.sums) {
      m = aggs.sumMagnitude();
      if (m < 0 || m > EXACT_SUM) return false;
    }
    let ik: InternKey;
    try {
      ik = this.setup.internKey(e);
    } catch (err) {
      if (!isEventFailure(err)) throw err;
      return false;
    }
    let g = this.byKey.get(ik) ?? NONE;
    while (g !== NONE && this.start[g] !== start) g = this.older[g]!;
    if (g === NONE) g = this.group(ik, e, t, start);
    else if (m > 0 && this.magnitude[g]! + m > EXACT_SUM) return false;
    this.n[g]!++;
    this.magnitude[g]! += m;
    const ingest = e[INGEST_TIME];
    if (ingest !== undefined && ingest > this.ingest[g]!) this.ingest[g] = ingest;
    if (aggs.readsValues) aggs.addAt(this.x, g * this.xs, this.v, g * this.vs, t);
    return true;
  }

  pass(e: Event): void {
    // An input field named as a partial row's count would make the window read `e` as one.
    if (PARTIAL_COUNT in e) {
      const copy: Record<string | symbol, unknown> = { ...e };
      delete copy[PARTIAL_COUNT];
      this.out.push(copy as Event);
    } else this.out.push(e);
  }

  drain(): Event[] {
    const rows = this.rows;
    for (let g = 0; g < rows.length; g++) {
      const row = rows[g]!;
      row[PARTIAL_COUNT] = this.n[g];
      for (let i = 0; i < this.xs; i++) row[this.xFields[i]!] = this.x[g * this.xs + i];
      for (let i = 0; i < this.vs; i++) row[this.vFields[i]!] = this.v[g * this.vs + i];
      if (this.ingest[g]! > 0) row[INGEST_TIME] = this.ingest[g];
    }
    const out = this.out;
    this.out = [];
    this.rows = [];
    this.start.length = 0;
    this.n.length = 0;
    this.ingest.length = 0;
    this.magnitude.length = 0;
    this.older.length = 0;
    this.v.length = 0;
    this.byKey.clear();
    return out;
  }

  /** A new group for the key and window, its partial row in `out` where its first event was. */
  private group(ik: InternKey, e: Event, t: number, start: number): number {
    const g = this.rows.length;
    const row: Row = {};
    // Written as the window writes its keys: the partitioner and the window read them back.
    this.setup.writeKeys(row, e);
    row[EVENT_TIME] = t;
    this.rows.push(row);
    this.out.push(row as Event);
    this.start.push(start);
    this.n.push(0);
    this.ingest.push(0);
    this.magnitude.push(0);
    this.older.push(this.byKey.get(ik) ?? NONE);
    this.byKey.set(ik, g);
    if ((g + 1) * this.xs > this.x.length) {
      const x = new Float64Array(Math.max(this.x.length * 2, (g + 1) * this.xs));
      x.set(this.x);
      this.x = x;
    }
    this.x.fill(0, g * this.xs, (g + 1) * this.xs);
    if (this.vs > 0) {
      for (let k = 0; k < this.vs; k++) this.v.push(null);
      this.aggs.initValues(this.v, g * this.vs);
    }
    return g;
  }
}
