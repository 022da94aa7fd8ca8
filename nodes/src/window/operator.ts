/**
 * The window operator. State (declared, so the runtime snapshots it): per key, the key's values
 * and its open windows with their accumulators; and the operator's watermark. An event is late
 * for a window when that window was emitted already, or when the event arrived behind its
 * source's watermark and the window had closed by then (docs/watermarks-and-lateness.md): the
 * same answer whatever the batch size or partition count.
 */
import { durationMs, EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import type { Collector, Operator, OperatorFactory } from '../sdk/operator.js';
import type { KeyedState, ValueState } from '../sdk/state.js';
import { type Acc, type Aggregator, aggregator } from './aggregates.js';
import type { WindowConfig } from './definition.js';
import { FireIndex } from './fire-index.js';
import { type KeyFn, keyFunction, readPath, setPath } from './keys.js';

interface OpenWindow {
  s: number;
  e: number;
  a: Acc[];
  /** Latest ingest time of its events, for end-to-end latency downstream. */
  i: number;
}

interface KeyEntry {
  k: unknown[];
  w: OpenWindow[];
}

export const windowOperator: OperatorFactory<WindowConfig> = (ctx) => new WindowOperator(ctx.config, ctx.state.keyed<KeyEntry>('windows'), ctx.state.value('watermark', Number.NEGATIVE_INFINITY));

class WindowOperator implements Operator {
  private readonly size: number;
  private readonly slide: number;
  private readonly gap: number;
  private readonly lateness: number;
  private readonly aggs: Aggregator[];
  private readonly readers: ((e: Event) => unknown)[];
  private readonly key: KeyFn;
  private readonly index = new FireIndex();
  private wm: number;

  constructor(
    private readonly c: WindowConfig,
    private readonly keys: KeyedState<KeyEntry>,
    private readonly watermark: ValueState<number>,
  ) {
    this.size = c.size === undefined ? 0 : durationMs(c.size);
    this.slide = c.slide === undefined ? this.size : durationMs(c.slide);
    this.gap = c.gap === undefined ? 0 : durationMs(c.gap);
    this.lateness = durationMs(c.allowedLateness);
    this.aggs = c.aggregates.map((a) => aggregator(a.op));
    this.readers = c.aggregates.map((a) => (a.field === undefined ? () => null : readPath(a.field)));
    this.key = keyFunction(c.keyBy);
    this.wm = watermark.get();
  }

  process(batch: readonly Event[], out: Collector): void {
    const n = this.aggs.length;
    const values = new Array<unknown>(n);
    outer: for (let b = 0; b < batch.length; b++) {
      const e = batch[b]!;
      for (let i = 0; i < n; i++) {
        const v = this.readers[i]!(e);
        const why = this.aggs[i]!.reject?.(v);
        if (why !== undefined) {
          out.error(e, new Error(`${this.c.aggregates[i]!.as}: ${why}`));
          continue outer;
        }
        values[i] = v;
      }
      const t = e[EVENT_TIME] ?? 0;
      const sw = e[SOURCE_WATERMARK];
      const effective = sw !== undefined && sw > this.wm ? sw : this.wm;
      const placed = this.c.type === 'session' ? this.addToSession(e, t, effective, values) : this.addToFixed(e, t, effective, values);
      if (!placed) out.late(e);
    }
  }

  /** Tumbling (slide = size) and sliding windows: every window [k*L, k*L + S) containing t. */
  private addToFixed(e: Event, t: number, effective: number, values: unknown[]): boolean {
    let placed = false;
    let entry: KeyEntry | undefined;
    let key = '';
    for (let start = Math.floor(t / this.slide) * this.slide; start > t - this.size; start -= this.slide) {
      const end = start + this.size;
      if (end + this.lateness <= effective) continue;
      if (!entry) {
        key = this.key(e);
        entry = this.entry(key, e);
      }
      let w: OpenWindow | undefined;
      for (const x of entry.w) if (x.s === start) w = x;
      if (!w) {
        w = { s: start, e: end, a: this.aggs.map((a) => a.init()), i: 0 };
        entry.w.push(w);
        this.index.add(end + this.lateness, key);
      }
      this.apply(w, e, t, values);
      placed = true;
    }
    return placed;
  }

  /** Sessions: [t, t + gap) merges with every open session it touches. */
  private addToSession(e: Event, t: number, effective: number, values: unknown[]): boolean {
    const key = this.key(e);
    const existing = this.keys.get(key);
    let s = t;
    let end = t + this.gap;
    const touching: OpenWindow[] = [];
    for (const w of existing?.w ?? []) {
      if (w.s <= end && w.e >= s) {
        touching.push(w);
        if (w.s < s) s = w.s;
        if (w.e > end) end = w.e;
      }
    }
    if (end + this.lateness <= effective) return false;
    const entry = existing ?? this.entry(key, e);
    let w: OpenWindow;
    if (touching.length === 0) {
      w = { s, e: end, a: this.aggs.map((a) => a.init()), i: 0 };
      entry.w.push(w);
    } else {
      w = touching[0]!;
      for (const other of touching.slice(1)) {
        w.a = w.a.map((acc, i) => this.aggs[i]!.merge(acc, other.a[i]));
        w.i = Math.max(w.i, other.i);
      }
      entry.w = entry.w.filter((x) => x === w || !touching.includes(x));
      w.s = s;
      w.e = end;
    }
    this.index.add(end + this.lateness, key);
    this.apply(w, e, t, values);
    return true;
  }

  private entry(key: string, e: Event): KeyEntry {
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { k: this.c.keyBy.map((f) => readPath(f)(e)), w: [] };
      this.keys.set(key, entry);
    }
    return entry;
  }

  private apply(w: OpenWindow, e: Event, t: number, values: unknown[]): void {
    for (let i = 0; i < this.aggs.length; i++) w.a[i] = this.aggs[i]!.add(w.a[i], values[i], t);
    const ingest = e[INGEST_TIME];
    if (ingest !== undefined && ingest > w.i) w.i = ingest;
  }

  onWatermark(watermark: number, out: Collector): void {
    if (watermark <= this.wm) return;
    this.wm = watermark;
    this.watermark.set(watermark);
    const due: { key: string; entry: KeyEntry; w: OpenWindow }[] = [];
    for (const key of this.index.due(watermark)) {
      const entry = this.keys.get(key);
      if (!entry) continue;
      const keep: OpenWindow[] = [];
      for (const w of entry.w) {
        if (w.e + this.lateness <= watermark) due.push({ key, entry, w });
        else keep.push(w);
      }
      if (keep.length === 0) this.keys.delete(key);
      else entry.w = keep;
    }
    // Deterministic output order: by window end, then start, then key.
    due.sort((a, b) => a.w.e - b.w.e || a.w.s - b.w.s || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const d of due) out.emit(this.result(d.entry, d.w));
  }

  private result(entry: KeyEntry, w: OpenWindow): Event {
    const o: Record<string | symbol, unknown> = {};
    for (let i = 0; i < this.c.keyBy.length; i++) setPath(o, this.c.keyBy[i]!, entry.k[i] ?? null);
    o.window_start = w.s;
    o.window_end = w.e;
    this.c.aggregates.forEach((a, i) => {
      o[a.as] = this.aggs[i]!.result(w.a[i]);
    });
    o[EVENT_TIME] = w.e - 1;
    if (w.i > 0) o[INGEST_TIME] = w.i;
    return o as Event;
  }

  onRestore(): void {
    this.wm = this.watermark.get();
    this.index.clear();
    for (const [key, entry] of this.keys.entries()) for (const w of entry.w) this.index.add(w.e + this.lateness, key);
  }
}
