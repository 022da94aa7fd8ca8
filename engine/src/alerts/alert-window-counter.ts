/**
 * A data rule's counter (docs/alerts.md, "Data rules"): how many of the events crossing an edge
 * make the rule's `where` true, and how many crossed, over the last `window`. Counts go into
 * time buckets (window/300, at least 1 s), so memory is fixed whatever the rate and reading it
 * sums at most 300 numbers. On the hot path it costs one compiled-expression call per event and
 * one clock read per batch. An event whose `where` fails (a type error on that event) counts as
 * crossing, not matching, and is counted apart.
 */
import { compileExpression, type Event, type ParamValue } from '@sluice/shared';

const BUCKETS = 300;

export interface WindowCount {
  matching: number;
  total: number;
  /** Events whose `where` could not be evaluated (counted in total, not in matching). */
  failed: number;
}

export class WindowCounter {
  readonly bucketMs: number;
  private readonly test: (e: Event) => unknown;
  /** Ring of buckets; `starts[i]` is the bucket's start (ms), -1 when unused. */
  private readonly starts: number[];
  private readonly matching: number[];
  private readonly total: number[];
  private readonly failed: number[];

  constructor(
    where: string,
    params: Record<string, ParamValue>,
    readonly windowMs: number,
    private readonly now: () => number,
  ) {
    this.test = compileExpression(where, { params, now });
    this.bucketMs = Math.max(1000, Math.ceil(windowMs / BUCKETS));
    const n = Math.ceil(windowMs / this.bucketMs) + 1;
    this.starts = new Array<number>(n).fill(-1);
    this.matching = new Array<number>(n).fill(0);
    this.total = new Array<number>(n).fill(0);
    this.failed = new Array<number>(n).fill(0);
  }

  /** A tap listener: counts a batch into the current bucket. Keeps no reference to the events. */
  observe = (events: readonly Event[]): void => {
    const i = this.bucket(this.now());
    let m = 0;
    let f = 0;
    for (let k = 0; k < events.length; k++) {
      try {
        if (this.test(events[k]!) === true) m++;
      } catch {
        f++;
      }
    }
    this.matching[i]! += m;
    this.total[i]! += events.length;
    this.failed[i]! += f;
  };

  /** The counts of the buckets that started within the last window. */
  read(): WindowCount {
    const from = this.start(this.now()) - (this.starts.length - 2) * this.bucketMs;
    const c: WindowCount = { matching: 0, total: 0, failed: 0 };
    for (let i = 0; i < this.starts.length; i++) {
      if (this.starts[i]! < from) continue;
      c.matching += this.matching[i]!;
      c.total += this.total[i]!;
      c.failed += this.failed[i]!;
    }
    return c;
  }

  private start(at: number): number {
    return Math.floor(at / this.bucketMs) * this.bucketMs;
  }

  private bucket(at: number): number {
    const start = this.start(at);
    const i = (start / this.bucketMs) % this.starts.length;
    if (this.starts[i] !== start) {
      this.starts[i] = start;
      this.matching[i] = 0;
      this.total[i] = 0;
      this.failed[i] = 0;
    }
    return i;
  }
}
