/**
 * Session windows (operator.ts hands them events and watermarks): per key, sessions as objects
 * in a keyed store (they merge and grow; sessions.ts merges them), due keys in a FireIndex.
 */
import { type Event, INGEST_TIME } from '@sluice/shared';
import type { Collector } from '../sdk/operator.js';
import type { KeyedState } from '../sdk/state.js';
import type { Win } from './aggregates.js';
import { type DueBucket, FireIndex } from './fire-index.js';
import { closedUpTo, LATE, PLACED } from './placement.js';
import { mergeOverlapping } from './sessions.js';
import { overflowError, type ResultRow, stampResult } from './window-result.js';
import type { WindowSetup } from './window-setup.js';

/** One key's state: its keyBy values (for the output) and its open windows. */
export interface KeyEntry {
  k: unknown[];
  w: Win[];
}

export class SessionWindows {
  private readonly index = new FireIndex<KeyEntry>();
  /** Earliest fire time in the index: a watermark below it has nothing to do. */
  nextFire = Number.POSITIVE_INFINITY;
  /** The operator's watermark (it sets it). */
  wm = Number.NEGATIVE_INFINITY;
  /** As WindowColumns.seenIngest: the latest ingest time of any event taken. */
  private seenIngest = 0;

  constructor(
    private readonly setup: WindowSetup,
    private readonly windows: KeyedState<KeyEntry>,
  ) {}

  /**
   * The event joins (and bridges) the sessions of its key it overlaps: PLACED, or LATE when the
   * session it would end up in, `[t, t + gap)` or the merge, closed before it arrived.
   */
  place(e: Event, t: number): number {
    const closed = closedUpTo(e, this.wm);
    const { aggs, gap, lateness } = this.setup;
    const key = this.setup.key(e);
    let entry = this.windows.get(key);
    const w = entry === undefined ? undefined : mergeOverlapping(entry.w, t, gap, lateness, closed, aggs);
    const end = t + gap;
    if (w === undefined) {
      // Any session the event overlapped and that is still open would have made it join.
      if (end + lateness <= closed) return LATE;
      const created = aggs.window(t, end);
      if (entry === undefined) {
        entry = { k: this.setup.keyValues(e), w: [created] };
        this.windows.set(key, entry);
      } else entry.w.push(created);
      this.schedule(end + lateness, key, entry);
      aggs.add(created, t, this.seen(e[INGEST_TIME]));
      return PLACED;
    }
    // Its end only grows, so its scheduled fire time is early, never late: re-checked when due.
    if (t < w.s) w.s = t;
    if (end > w.e) w.e = end;
    aggs.add(w, t, this.seen(e[INGEST_TIME]));
    return PLACED;
  }

  /** Keeps the latest ingest time a session event carried. */
  private seen(ingest: number | undefined): number | undefined {
    if (ingest !== undefined && ingest > this.seenIngest) this.seenIngest = ingest;
    return ingest;
  }

  private schedule(time: number, key: string, entry: KeyEntry): void {
    this.index.add(time, key, entry);
    if (time < this.nextFire) this.nextFire = time;
  }

  /** Sessions end where their last event put them: gather the due ones, then order them. */
  fire(watermark: number, out: Collector): void {
    this.fireDue(this.index.takeDue(watermark), watermark, out);
    this.nextFire = this.index.next();
  }

  private fireDue(buckets: readonly DueBucket<KeyEntry>[], watermark: number, out: Collector): void {
    const lateness = this.setup.lateness;
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
    for (const d of due) this.fireSession(d.k, d.w, out);
  }

  /** A session's result (window-result.ts). */
  private fireSession(k: readonly unknown[], w: Win, out: Collector): void {
    const o: ResultRow = {};
    const writers = this.setup.keyWriters;
    for (let i = 0; i < writers.length; i++) writers[i]!(o, k[i] ?? null);
    o.window_start = w.s;
    o.window_end = w.e;
    const problem = this.setup.aggs.write(w, o);
    const result = stampResult(o, w.e, Math.max(w.i, this.seenIngest));
    if (problem === undefined) out.emit(result);
    else out.error(result, overflowError(w.s, w.e, this.setup.keyNames, k, problem));
  }

  /** After a restore: schedules every restored session again. */
  restore(): void {
    this.index.clear();
    const lateness = this.setup.lateness;
    for (const [key, entry] of this.windows.entries()) for (const w of entry.w) this.index.add(w.e + lateness, key, entry);
    this.nextFire = this.index.next();
  }
}
