/**
 * When windows are due, derived from the declared state (rebuilt on restore): keys (with the
 * state entry each was scheduled for, so firing needs no lookup) grouped in buckets by fire
 * time, and a min-heap of the distinct times. Fixed windows of many keys share a
 * few fire times (every key's window [s, e) fires at e + allowedLateness), so scheduling is an
 * array push into the current bucket (no heap work per key), and a due bucket comes out whole,
 * in the order it was filled. A key may be in several buckets, and an entry may be early (a
 * session that grew since): the operator re-checks each due key's windows and schedules the
 * ones not due yet again.
 */
/** One fire time's keys, and beside each the entry it was scheduled for. */
export interface DueBucket<T> {
  time: number;
  keys: string[];
  entries: T[];
}

export class FireIndex<T = unknown> {
  private readonly buckets = new Map<number, DueBucket<T>>();
  /** The distinct fire times, a binary min-heap. */
  private readonly times: number[] = [];
  /** The bucket written last: in-order events schedule into it again and again. */
  private lastTime = Number.NaN;
  private lastBucket: DueBucket<T> | undefined;
  private entries = 0;

  get size(): number {
    return this.entries;
  }

  add(time: number, key: string, entry: T): void {
    this.entries++;
    let bucket = this.lastBucket;
    if (time !== this.lastTime || bucket === undefined) {
      bucket = this.buckets.get(time);
      if (bucket === undefined) {
        bucket = { time, keys: [], entries: [] };
        this.buckets.set(time, bucket);
        this.pushTime(time);
      }
      this.lastTime = time;
      this.lastBucket = bucket;
    }
    bucket.keys.push(key);
    bucket.entries.push(entry);
  }

  /** The earliest fire time (Infinity when none). */
  next(): number {
    return this.times.length > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  /**
   * The buckets at or before `watermark`, earliest first, their keys in the order they were
   * added; they are removed. A key may appear in several.
   */
  takeDue(watermark: number): DueBucket<T>[] {
    const out: DueBucket<T>[] = [];
    while (this.times.length > 0 && this.times[0]! <= watermark) {
      const time = this.popTime();
      const bucket = this.buckets.get(time)!;
      this.buckets.delete(time);
      this.entries -= bucket.keys.length;
      out.push(bucket);
    }
    if (out.length > 0) {
      this.lastTime = Number.NaN;
      this.lastBucket = undefined;
    }
    return out;
  }

  clear(): void {
    this.buckets.clear();
    this.times.length = 0;
    this.lastTime = Number.NaN;
    this.lastBucket = undefined;
    this.entries = 0;
  }

  private pushTime(time: number): void {
    heapPush(this.times, time);
  }

  private popTime(): number {
    return heapPop(this.times);
  }
}

/**
 * The same index for window records of window-columns.ts (fixed windows): record ids grouped
 * by fire time, each record scheduled once, when its window is created or restored.
 */
export class RecordFireIndex {
  private readonly buckets = new Map<number, number[]>();
  private readonly times: number[] = [];
  private lastTime = Number.NaN;
  private lastBucket: number[] | undefined;

  add(time: number, record: number): void {
    let bucket = this.lastBucket;
    if (time !== this.lastTime || bucket === undefined) {
      bucket = this.buckets.get(time);
      if (bucket === undefined) {
        bucket = [];
        this.buckets.set(time, bucket);
        heapPush(this.times, time);
      }
      this.lastTime = time;
      this.lastBucket = bucket;
    }
    bucket.push(record);
  }

  next(): number {
    return this.times.length > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  /** The earliest due bucket (removed), or undefined when none is due at `watermark`. */
  takeNext(watermark: number): { time: number; records: number[] } | undefined {
    if (!(this.times.length > 0 && this.times[0]! <= watermark)) return undefined;
    const time = heapPop(this.times);
    const records = this.buckets.get(time)!;
    this.buckets.delete(time);
    this.lastTime = Number.NaN;
    this.lastBucket = undefined;
    return { time, records };
  }

  clear(): void {
    this.buckets.clear();
    this.times.length = 0;
    this.lastTime = Number.NaN;
    this.lastBucket = undefined;
  }
}

/** Pushes `time` onto a binary min-heap of numbers. */
export function heapPush(times: number[], time: number): void {
  let i = times.length;
  times.push(time);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (times[p]! <= time) break;
    times[i] = times[p]!;
    i = p;
  }
  times[i] = time;
}

/** Takes the smallest number off a non-empty binary min-heap. */
export function heapPop(times: number[]): number {
  const top = times[0]!;
  const last = times.pop()!;
  const n = times.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const m = r < n && times[r]! < times[l]! ? r : l;
    if (times[m]! >= last) break;
    times[i] = times[m]!;
    i = m;
  }
  times[i] = last;
  return top;
}
