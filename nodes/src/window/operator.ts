/**
 * The window operator (semantics: GRAPH_FORMAT.md "Windows (event time)", docs/windows.md).
 *
 * Declared state, so the runtime snapshots and restores it:
 * - keyed `windows`: state key -> { k: the keyBy values, w: open windows with accumulators };
 *   a key with no open window has no entry;
 * - value `watermark`: the last watermark seen (null before the first);
 * - value `layout`: what the accumulators mean (type, keyBy, ops): state written under another
 *   layout is refused on restore rather than misread.
 * The fire index (when which key has a window due) is derived and rebuilt in onRestore.
 *
 * Lateness is decided per event, whatever the batching: a window is closed for an event when
 * `end + allowedLateness <= max(watermark, event[SOURCE_WATERMARK])`, i.e. when it was (or, with
 * one watermark per event, would have been) emitted before the event arrived.
 */
import { durationMs, EVENT_TIME, type Event, type FieldReader, fieldReader, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { isEventFailure } from '../sdk/error-event.js';
import { eventsOf } from '../sdk/partial-rows.js';
import type { Collector, KeyMemo, Operator, OperatorFactory } from '../sdk/operator.js';
import type { KeyedState, StateRegistry, ValueState } from '../sdk/state.js';
import { Aggregates, type Win } from './aggregates.js';
import { latestStart } from './assigners.js';
import type { WindowConfig } from './definition.js';
import { type FieldWriter, fieldWriter } from './field-writer.js';
import { type DueBucket, FireIndex, RecordFireIndex } from './fire-index.js';
import { type KeyFn, keyFunction } from '../sdk/state-key.js';
import { mergeOverlapping } from './sessions.js';
import { PARTIAL_COUNT, slotFields } from './partial-row.js';
import { type InternKey, internKeyOfEvent, NONE, WindowColumns } from './window-columns.js';

/** One key's state: its keyBy values (for the output) and its open windows. */
export interface KeyEntry {
  k: unknown[];
  w: Win[];
}

/** An event the window cannot take (its `error` port carries it with this message and code). */
export class WindowEventError extends Error {
  constructor(
    message: string,
    readonly code: 'window-bad-value' | 'window-bad-time' | 'window-overflow',
  ) {
    super(message);
  }
}

/** Restored state that this config cannot read (another window type, keyBy or aggregate ops). */
export class WindowStateError extends Error {
  readonly code = 'window-state-mismatch';
}

const PLACED = 0;
const LATE = 1;
/** Between two sliding windows (slide > size): in no window. */
const NO_WINDOW = 2;
/** Window results handed downstream at a time when many fire at once (1 M keys: 1 M results). */
const FLUSH_EVERY = 4096;

function remember(memo: KeyMemo, cols: WindowColumns, slot: number): void {
  memo.owner = cols;
  memo.epoch = cols.epoch;
  memo.slot = slot;
}

export const windowOperator: OperatorFactory<WindowConfig> = (ctx) => new WindowOperator(ctx.config, ctx.state, ctx.partialRows === true);

export class WindowOperator implements Operator {
  /** Its results are new objects; a late or bad event goes on as it came, once. */
  readonly passesOwnership = true;
  private readonly session: boolean;
  private readonly size: number;
  private readonly slide: number;
  private readonly gap: number;
  private readonly lateness: number;
  private readonly aggs: Aggregates;
  private readonly key: KeyFn;
  private readonly keyReaders: FieldReader[];
  private readonly keyWriters: FieldWriter[];
  private readonly keyNames: readonly string[];
  /** A combiner's partial rows (partial-row.ts): their slot fields, read into scratch arrays. */
  private readonly partialFields: { x: string[]; v: string[] };
  private readonly partialX: Float64Array;
  private readonly partialV: unknown[];
  /** Sessions: entries as objects (sessions merge and grow). */
  private readonly windows: KeyedState<KeyEntry>;
  /** Tumbling and sliding: columns (window-columns.ts); the same state name and format. */
  private readonly cols: WindowColumns;
  private readonly records = new RecordFireIndex();
  private readonly watermark: ValueState<number | null>;
  private readonly layout: ValueState<string>;
  private readonly expectedLayout: string;
  private readonly index = new FireIndex<KeyEntry>();
  /** Earliest fire time in the index: a watermark below it has nothing to do. */
  private nextFire = Number.POSITIVE_INFINITY;
  /** Sessions' WindowColumns.seenIngest: the latest ingest time of any event taken. */
  private seenIngest = 0;
  /** The last slide-aligned start computed: in-order events mostly reuse it (no float modulo). */
  private lastStart = Number.NaN;
  private wm: number;
  /** What accept reads of an event (Operator.reads): its times, keys and aggregated fields. */
  readonly reads: readonly (string | symbol)[];
  /** Tumbling and sliding keyed by top-level fields: acceptKeyed's memo stands for the key's slot. */
  readonly keyFields: readonly string[] | undefined;

  constructor(
    c: WindowConfig,
    state: StateRegistry,
    /** Its input comes through a combiner (OperatorContext.partialRows): read partial rows. */
    private readonly partialRows = false,
  ) {
    this.session = c.type === 'session';
    this.size = c.size === undefined ? 0 : durationMs(c.size);
    this.slide = c.slide === undefined || c.type === 'tumbling' ? this.size : durationMs(c.slide);
    this.gap = c.gap === undefined ? 0 : durationMs(c.gap);
    if (this.session ? !(this.gap > 0) : !(this.size > 0 && this.slide > 0)) {
      throw new Error(`window: a ${c.type} window needs a ${this.session ? 'gap' : 'size and slide'} longer than 0`);
    }
    this.lateness = durationMs(c.allowedLateness);
    this.aggs = new Aggregates(c.aggregates);
    this.key = keyFunction(c.keyBy);
    this.keyReaders = c.keyBy.map(fieldReader);
    this.keyWriters = c.keyBy.map(fieldWriter);
    this.keyNames = c.keyBy;
    this.partialFields = slotFields(c);
    this.partialX = new Float64Array(this.partialFields.x.length);
    this.partialV = this.partialFields.v.map(() => null);
    // One of the two is declared (the other is an empty stand-in no snapshot sees).
    if (this.session) {
      this.windows = state.keyed<KeyEntry>('windows');
      this.cols = new WindowColumns(this.aggs, c.keyBy.length, false);
    } else {
      this.windows = new Map<string, KeyEntry>();
      this.cols = state.columns('windows', (track) => new WindowColumns(this.aggs, c.keyBy.length, track));
    }
    this.watermark = state.value<number | null>('watermark', null);
    this.wm = this.watermark.get() ?? Number.NEGATIVE_INFINITY;
    this.expectedLayout = `${c.type}|${JSON.stringify(c.keyBy)}|${c.aggregates.map((a) => a.op).join(',')}`;
    this.layout = state.value('layout', this.expectedLayout);
    const fields = [...c.keyBy, ...c.aggregates.flatMap((a) => (a.op === 'count' ? [] : [a.field ?? '']))];
    this.reads = [EVENT_TIME, SOURCE_WATERMARK, INGEST_TIME, ...new Set(fields.map((f) => f.split('.')[0]!))];
    this.keyFields = this.session || c.keyBy.length === 0 || c.keyBy.some((k) => k.includes('.')) ? undefined : c.keyBy;
  }

  process(batch: readonly Event[], out: Collector): void {
    if (!this.partialRows) {
      for (let b = 0; b < batch.length; b++) this.accept(batch[b]!, out);
      return;
    }
    for (let b = 0; b < batch.length; b++) {
      const e = batch[b]!;
      if (PARTIAL_COUNT in e) this.takePartial(e, out);
      else this.accept(e, out);
    }
  }

  /** Operator.countIn: a combiner's partial row counts the events it folds (docs/combiner.md). */
  countIn(batch: readonly Event[]): number {
    return this.partialRows ? eventsOf(batch) : batch.length;
  }

  /**
   * A combiner's partial row (combiner.ts): its events, all of one key and tumbling window and
   * none late by its own stamp, merged as if taken one by one; late together when the window
   * was emitted (each counted late, as each would have been).
   */
  private takePartial(p: Event, out: Collector): void {
    const n = p[PARTIAL_COUNT] as number;
    if (this.session || this.slide !== this.size) throw new Error('window: a partial row reached a window that does not combine');
    const t = p[EVENT_TIME] ?? 0;
    const start = latestStart(t, this.size);
    const end = start + this.size;
    if (end + this.lateness <= this.wm) {
      for (let i = 0; i < n; i++) out.late(p);
      return;
    }
    const cols = this.cols;
    const ik = this.internKey(p);
    let slot = cols.find(ik);
    let r = slot === NONE ? NONE : cols.findWindow(slot, start);
    if (r === NONE) {
      if (slot === NONE || cols.isIdle(slot)) slot = cols.claim(ik, slot, this.keyValue(p));
      r = this.newRecord(slot, start, end);
    }
    const px = this.partialX;
    const pv = this.partialV;
    for (let i = 0; i < px.length; i++) px[i] = p[this.partialFields.x[i]!] as number;
    for (let i = 0; i < pv.length; i++) pv[i] = p[this.partialFields.v[i]!];
    cols.addPartial(r, n, p[INGEST_TIME], px, pv);
  }

  /** A new window record of `slot`, scheduled to fire. */
  private newRecord(slot: number, start: number, end: number): number {
    const r = this.cols.newWindow(slot, start, end);
    const time = end + this.lateness;
    this.records.add(time, r);
    if (time < this.nextFire) this.nextFire = time;
    return r;
  }

  /** One event (Operator.accept): placed in its windows, or late, dropped or an error on `out`. */
  accept(e: Event, out: Collector): void {
    this.take(e, undefined, out);
  }

  /** Operator.acceptKeyed: as accept, the key's slot kept in `memo` (for keyFields alone). */
  acceptKeyed(e: Event, memo: KeyMemo, out: Collector): void {
    this.take(e, this.keyFields === undefined ? undefined : memo, out);
  }

  private take(e: Event, memo: KeyMemo | undefined, out: Collector): void {
    const aggs = this.aggs;
    // Sources always stamp event time; an unstamped event (a hand-built test) counts as time 0.
    const t = e[EVENT_TIME] ?? 0;
    if (t - t !== 0) {
      out.error(e, new WindowEventError(`event time ${String(t)} is not a finite number`, 'window-bad-time'));
      return;
    }
    if (aggs.readsValues) {
      const why = aggs.read(e);
      if (why !== undefined) {
        out.error(e, new WindowEventError(why, 'window-bad-value'));
        return;
      }
    }
    let r: number;
    try {
      r = this.session ? this.toSession(e, t) : this.toFixed(e, memo);
    } catch (err) {
      // A key or value JavaScript cannot handle (nested too deep to write as JSON): the event's.
      if (!isEventFailure(err)) throw err;
      out.error(e, err);
      return;
    }
    if (r === LATE) out.late(e);
    else if (r === NO_WINDOW) out.drop(e);
  }

  /**
   * Tumbling and sliding: every window `[k*L, k*L + S)` holding `t` that is not closed. `memo`:
   * the slot of `e`'s key as last found for the same row (valid while the columns' epoch holds).
   */
  private toFixed(e: Event, memo: KeyMemo | undefined): number {
    // Read again here rather than passed in, for the reason closedUpTo gives.
    const t = e[EVENT_TIME] ?? 0;
    const closedUpTo = this.closedUpTo(e);
    const size = this.size;
    const lateness = this.lateness;
    const cols = this.cols;
    let result = NO_WINDOW;
    let looked = false;
    let slot = NONE;
    let ik: InternKey = '';
    const slide = this.slide;
    let start = this.lastStart;
    if (!(t >= start && t < start + slide)) this.lastStart = start = latestStart(t, slide);
    for (; start > t - size; start -= slide) {
      const end = start + size;
      if (end + lateness <= closedUpTo) {
        if (result === NO_WINDOW) result = LATE;
        continue;
      }
      if (!looked) {
        looked = true;
        if (memo !== undefined && memo.owner === cols && memo.epoch === cols.epoch) slot = memo.slot;
        else {
          ik = this.internKey(e);
          slot = cols.find(ik);
          if (memo !== undefined && slot !== NONE) remember(memo, cols, slot);
        }
      }
      let r = slot === NONE ? NONE : cols.findWindow(slot, start);
      if (r === NONE) {
        if (slot === NONE || cols.isIdle(slot)) {
          // A memo's slot is never NONE, so `ik` was read whenever claim makes a new key.
          slot = cols.claim(ik, slot, this.keyValue(e));
          if (memo !== undefined) remember(memo, cols, slot);
        }
        r = this.newRecord(slot, start, end);
      }
      cols.add(r, e);
      result = PLACED;
    }
    return result;
  }

  /**
   * Up to where windows were emitted when `e` arrived. Computed where it is compared, not passed
   * in: a double made from a field and handed to a call is a new heap number per event.
   */
  private closedUpTo(e: Event): number {
    const sw = e[SOURCE_WATERMARK];
    return sw !== undefined && sw > this.wm ? sw : this.wm;
  }

  /** The event's key for interning: a finite number as it is, else its state key (sdk/state-key.ts). */
  private internKey(e: Event): InternKey {
    return internKeyOfEvent(e, this.keyReaders, this.key);
  }

  /** What WindowColumns keeps of the keyBy values: the value with one field, else the array. */
  private keyValue(e: Event): unknown {
    const readers = this.keyReaders;
    if (readers.length === 1) return readers[0]!(e);
    const k = new Array(readers.length);
    for (let i = 0; i < readers.length; i++) k[i] = readers[i]!(e);
    return k;
  }

  /**
   * Sessions: the event joins (and bridges) the sessions of its key it overlaps. It is late
   * when the session it would end up in, `[t, t + gap)` or the merge, closed before it arrived.
   */
  private toSession(e: Event, t: number): number {
    const closedUpTo = this.closedUpTo(e);
    const key = this.key(e);
    let entry = this.windows.get(key);
    const w = entry === undefined ? undefined : mergeOverlapping(entry.w, t, this.gap, this.lateness, closedUpTo, this.aggs);
    const end = t + this.gap;
    if (w === undefined) {
      // Any session the event overlapped and that is still open would have made it join.
      if (end + this.lateness <= closedUpTo) return LATE;
      const created = this.aggs.window(t, end);
      if (entry === undefined) entry = this.newEntry(key, e, created);
      else entry.w.push(created);
      this.schedule(end + this.lateness, key, entry);
      this.aggs.add(created, t, this.seen(e[INGEST_TIME]));
      return PLACED;
    }
    // Its end only grows, so its scheduled fire time is early, never late: re-checked when due.
    if (t < w.s) w.s = t;
    if (end > w.e) w.e = end;
    this.aggs.add(w, t, this.seen(e[INGEST_TIME]));
    return PLACED;
  }

  /** Keeps the latest ingest time a session event carried (as WindowColumns.seenIngest). */
  private seen(ingest: number | undefined): number | undefined {
    if (ingest !== undefined && ingest > this.seenIngest) this.seenIngest = ingest;
    return ingest;
  }

  /** A key's first window: arrays made at their size (a push into an empty array reserves 17 slots). */
  private newEntry(key: string, e: Event, w: Win): KeyEntry {
    const readers = this.keyReaders;
    let k: unknown[];
    if (readers.length === 1) k = [readers[0]!(e)];
    else {
      k = new Array(readers.length);
      for (let i = 0; i < readers.length; i++) k[i] = readers[i]!(e);
    }
    const entry: KeyEntry = { k, w: [w] };
    this.windows.set(key, entry);
    return entry;
  }

  private schedule(time: number, key: string, entry: KeyEntry): void {
    this.index.add(time, key, entry);
    if (time < this.nextFire) this.nextFire = time;
  }

  onWatermark(watermark: number, out: Collector): void {
    if (!(watermark > this.wm)) return;
    this.wm = watermark;
    this.watermark.set(Number.isFinite(watermark) ? watermark : null);
    if (watermark < this.nextFire) return;
    if (this.session) {
      this.fireSessions(this.index.takeDue(watermark), watermark, out);
      this.nextFire = this.index.next();
    } else {
      this.fireFixed(watermark, out);
      this.nextFire = this.records.next();
    }
  }

  /**
   * Tumbling and sliding: every window in the bucket of fire time T ends at T - allowedLateness
   * (each window is in one bucket, scheduled when it was made), so it also starts at the same
   * time: the order (end, start, key) is bucket by bucket, keys sorted. Keys whose windows all
   * fired stay interned, idle, for their next window (WindowColumns.sweep frees them later).
   * Results go downstream every FLUSH_EVERY, not in one batch of every key.
   */
  private fireFixed(watermark: number, out: Collector): void {
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
  }

  /** fire() for a record of the columns: the same result object, built without a Win. */
  private fireRecord(r: number, out: Collector): void {
    const cols = this.cols;
    const slot = cols.slot[r]!;
    const o: Record<string | symbol, unknown> = {};
    for (let i = 0; i < this.keyWriters.length; i++) this.keyWriters[i]!(o, cols.keyValue(slot, i) ?? null);
    const s = cols.start[r]!;
    const e = cols.end[r]!;
    o.window_start = s;
    o.window_end = e;
    const problem = cols.write(r, o);
    o[EVENT_TIME] = e - 1;
    const ingest = Math.max(cols.ingest[r]!, cols.seenIngest);
    if (ingest > 0) o[INGEST_TIME] = ingest;
    if (problem === undefined) out.emit(o as Event);
    else
      out.error(
        o as Event,
        new WindowEventError(
          `window [${s}, ${e}) of ${this.describeKey(cols.keyValues(slot))}: ${problem} (written as null)`,
          'window-overflow',
        ),
      );
  }

  /** Sessions end where their last event put them: gather the due ones, then order them. */
  private fireSessions(buckets: readonly DueBucket<KeyEntry>[], watermark: number, out: Collector): void {
    const lateness = this.lateness;
    const keys = new Set<string>();
    for (const b of buckets) for (const k of b.keys) keys.add(k);
    const due: { key: string; k: unknown[]; w: Win }[] = [];
    for (const key of keys) {
      const entry = this.windows.get(key);
      if (entry === undefined) continue;
      const ws = entry.w;
      let kept = 0;
      for (let j = 0; j < ws.length; j++) {
        const w = ws[j]!;
        if (w.e + lateness <= watermark) {
          due.push({ key, k: entry.k, w });
        } else {
          ws[kept++] = w;
          // A session may have grown past the entry that brought us here: schedule it again.
          this.index.add(w.e + lateness, key, entry);
        }
      }
      ws.length = kept;
      if (kept === 0) this.windows.delete(key);
    }
    // Deterministic order: by window end, then start, then key.
    due.sort((a, b) => a.w.e - b.w.e || a.w.s - b.w.s || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const d of due) this.fire(d.k, d.w, out);
  }

  /**
   * Emits a window's result, or sends it to the error port (counted as an error of the node)
   * when an aggregate could not be written: never a silent null.
   */
  private fire(k: readonly unknown[], w: Win, out: Collector): void {
    const o: Record<string | symbol, unknown> = {};
    for (let i = 0; i < this.keyWriters.length; i++) this.keyWriters[i]!(o, k[i] ?? null);
    o.window_start = w.s;
    o.window_end = w.e;
    const problem = this.aggs.write(w, o);
    // As Flink: the output's event time is the last instant of its window, so windows chain.
    o[EVENT_TIME] = w.e - 1;
    const ingest = Math.max(w.i, this.seenIngest);
    if (ingest > 0) o[INGEST_TIME] = ingest;
    if (problem === undefined) out.emit(o as Event);
    else
      out.error(
        o as Event,
        new WindowEventError(`window [${w.s}, ${w.e}) of ${this.describeKey(k)}: ${problem} (written as null)`, 'window-overflow'),
      );
  }

  /** `sku="a", user.country="FR"`, or `the global window` without keyBy. */
  private describeKey(k: readonly unknown[]): string {
    if (this.keyNames.length === 0) return 'the global window';
    return this.keyNames.map((name, i) => `${name}=${JSON.stringify(k[i] ?? null)}`).join(', ');
  }

  /** Keys interned by a tumbling or sliding window now, idle ones included (bounded by sweeps). */
  get internedKeys(): number {
    return this.cols.interned;
  }

  onRestore(): void {
    const layout = this.layout.get();
    if (layout !== this.expectedLayout) {
      throw new WindowStateError(`window state was written for ${layout}, this node is ${this.expectedLayout} (type|keyBy|aggregate ops)`);
    }
    this.wm = this.watermark.get() ?? Number.NEGATIVE_INFINITY;
    if (!this.session) {
      this.records.clear();
      this.cols.load((r, end) => this.records.add(end + this.lateness, r));
      this.nextFire = this.records.next();
      return;
    }
    this.index.clear();
    for (const [key, entry] of this.windows.entries()) for (const w of entry.w) this.index.add(w.e + this.lateness, key, entry);
    this.nextFire = this.index.next();
  }
}
