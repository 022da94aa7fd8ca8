/**
 * Tumbling and sliding windows (operator.ts hands them events and watermarks): an event goes
 * into every window `[k*L, k*L + S)` holding its time that is not closed for it; the state is
 * in columns (window-columns.ts), due windows in a RecordFireIndex (fire-index.ts).
 */
import { EVENT_TIME, type Event } from '@sluice/shared';
import type { Collector, KeyMemo } from '../sdk/operator.js';
import { latestStart } from './assigners.js';
import { RecordFireIndex } from './fire-index.js';
import type { InternKey } from './intern-key.js';
import { closedUpTo, LATE, NO_WINDOW, PLACED } from './placement.js';
import { NONE, type WindowColumns } from './window-columns.js';
import { overflowError, type ResultRow, stampResult } from './window-result.js';
import type { WindowSetup } from './window-setup.js';

/** Window results handed downstream at a time when many fire at once (1 M keys: 1 M results). */
const FLUSH_EVERY = 4096;

function remember(memo: KeyMemo, cols: WindowColumns, slot: number): void {
  memo.owner = cols;
  memo.epoch = cols.keys.epoch;
  memo.slot = slot;
}

export class FixedWindows {
  private readonly records = new RecordFireIndex();
  /** Earliest fire time in the index: a watermark below it has nothing to do. */
  nextFire = Number.POSITIVE_INFINITY;
  /** The operator's watermark (it sets it). */
  wm = Number.NEGATIVE_INFINITY;
  /** The last slide-aligned start computed: in-order events mostly reuse it (no float modulo). */
  private lastStart = Number.NaN;
  /** Scratch: the starts of an event's open windows, latest first (made once: none per event). */
  private starts: Float64Array;

  constructor(
    private readonly setup: WindowSetup,
    readonly cols: WindowColumns,
  ) {
    // ceil(size / slide) windows hold an event (one more when a fractional slide rounds).
    this.starts = new Float64Array(Math.ceil(setup.size / setup.slide) + 1);
  }

  /**
   * Every window `[k*L, k*L + S)` holding `e`'s time that is not closed: PLACED, LATE or
   * NO_WINDOW. `memo`: the slot of `e`'s key as last found for the same row (valid while the
   * columns' epoch holds). One walk of the key's window list finds them all, from the end
   * nearer them (window-lists.ts): linear in the event's windows, not quadratic.
   */
  place(e: Event, memo: KeyMemo | undefined): number {
    // Read again here rather than passed in, for the reason closedUpTo gives.
    const t = e[EVENT_TIME] ?? 0;
    const closed = closedUpTo(e, this.wm);
    const size = this.setup.size;
    const lateness = this.setup.lateness;
    const slide = this.setup.slide;
    let start = this.lastStart;
    if (!(t >= start && t < start + slide)) this.lastStart = start = latestStart(t, slide);
    // The event's open windows, latest start first; they close earliest start first, so once
    // one is closed the rest are too.
    let starts = this.starts;
    let m = 0;
    let late = false;
    for (; start > t - size; start -= slide) {
      const end = start + size;
      if (end + lateness <= closed) {
        late = true;
        break;
      }
      if (m === starts.length) starts = this.moreStarts();
      starts[m++] = start;
    }
    if (m === 0) return late ? LATE : NO_WINDOW;
    const cols = this.cols;
    let slot = NONE;
    let ik: InternKey = '';
    if (memo !== undefined && memo.owner === cols && memo.epoch === cols.keys.epoch) slot = memo.slot;
    else {
      ik = this.setup.internKey(e);
      slot = cols.keys.find(ik);
      if (memo !== undefined && slot !== NONE) remember(memo, cols, slot);
    }
    if (slot === NONE || cols.keys.isIdle(slot)) {
      // A memo's slot is never NONE, so `ik` was read whenever claim makes a new key.
      slot = cols.claim(ik, slot, this.setup.keyValue(e));
      if (memo !== undefined) remember(memo, cols, slot);
    }
    if (!cols.walkNearest(slot, starts[0]!, starts[m - 1]!)) {
      for (let i = 0; i < m; i++) this.addTo(slot, starts[i]!, e);
    } else {
      for (let i = m - 1; i >= 0; i--) this.addTo(slot, starts[i]!, e);
    }
    return PLACED;
  }

  /** A longer scratch of starts (a slide that does not divide the size may round to one more window). */
  private moreStarts(): Float64Array {
    const starts = new Float64Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
    return starts;
  }

  /** Adds `e` to the walked slot's window starting at `start`, made when missing. */
  private addTo(slot: number, start: number, e: Event): void {
    let r = this.cols.seekWindow(start);
    if (r === NONE) r = this.newRecord(slot, start, start + this.setup.size);
    this.cols.add(r, e);
  }

  /**
   * The record of `e`'s key and the window `[start, end)`, made when it has none (a partial
   * row's window: partial-row-merge.ts).
   */
  windowOf(e: Event, start: number, end: number): number {
    const cols = this.cols;
    const ik = this.setup.internKey(e);
    let slot = cols.keys.find(ik);
    const r = slot === NONE ? NONE : cols.findWindow(slot, start);
    if (r !== NONE) return r;
    if (slot === NONE || cols.keys.isIdle(slot)) {
      slot = cols.claim(ik, slot, this.setup.keyValue(e));
      cols.walk(slot);
    }
    return this.newRecord(slot, start, end);
  }

  /** A new window record of the walked `slot` where the walk stands, scheduled to fire. */
  private newRecord(slot: number, start: number, end: number): number {
    const r = this.cols.newWindowAtWalk(slot, start, end);
    const time = end + this.setup.lateness;
    this.records.add(time, r);
    if (time < this.nextFire) this.nextFire = time;
    return r;
  }

  /**
   * Every window in the bucket of fire time T ends at T - allowedLateness (each window is in
   * one bucket, scheduled when it was made), so it also starts at the same time: the order
   * (end, start, key) is bucket by bucket, keys sorted. Keys whose windows all fired stay
   * interned, idle, for their next window (WindowColumns.sweep frees them later). Results go
   * downstream every FLUSH_EVERY, not in one batch of every key.
   */
  fire(watermark: number, out: Collector): void {
    const cols = this.cols;
    let fired = 0;
    for (let due = this.records.takeNext(watermark); due !== undefined; due = this.records.takeNext(watermark)) {
      for (const r of cols.inKeyOrder(due.records)) {
        this.fireRecord(r, out);
        cols.remove(r);
        if (++fired % FLUSH_EVERY === 0) out.flush?.();
      }
    }
    cols.sweep();
    this.nextFire = this.records.next();
  }

  /** A record's result (window-result.ts). */
  private fireRecord(r: number, out: Collector): void {
    const cols = this.cols;
    const slot = cols.slot[r]!;
    const o: ResultRow = {};
    const writers = this.setup.keyWriters;
    for (let i = 0; i < writers.length; i++) writers[i]!(o, cols.keys.keyValue(slot, i) ?? null);
    const s = cols.start[r]!;
    const e = cols.end[r]!;
    o.window_start = s;
    o.window_end = e;
    const problem = cols.write(r, o);
    const result = stampResult(o, e, Math.max(cols.ingest[r]!, cols.seenIngest));
    if (problem === undefined) out.emit(result);
    else out.error(result, overflowError(s, e, this.setup.keyNames, cols.keys.keyValues(slot), problem));
  }

  /** After a restore: loads the columns' entries and schedules their windows again. */
  restore(): void {
    this.records.clear();
    this.cols.load((r, end) => this.records.add(end + this.setup.lateness, r));
    this.nextFire = this.records.next();
  }
}
