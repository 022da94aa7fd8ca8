/**
 * What every source does with time, shared by source.file and source.generator: the token
 * bucket behind `rate`, and the watermark with its per-event stamps (see
 * docs/watermarks-and-lateness.md).
 */
import { EVENT_TIME, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';

/**
 * `rate` events per second. Credit is kept in thousandths of an event so integer rates and
 * integer clocks never lose a token to floating point. The bucket starts empty at the first
 * poll and holds at most one second of credit (at least one event), so a source that was not
 * polled for a while (backpressure) does not burst far above its rate afterwards.
 */
export class TokenBucket {
  private credit = 0;
  private last: number | undefined;
  private readonly capacity: number;

  constructor(private readonly rate: number) {
    this.capacity = Math.max(1000, rate * 1000);
  }

  /** Whole events allowed now, at most `max`. Take them with `consume`. */
  available(now: number, max: number): number {
    if (this.last === undefined) this.last = now;
    else if (now > this.last) {
      this.credit = Math.min(this.capacity, this.credit + (now - this.last) * this.rate);
      this.last = now;
    }
    return Math.max(0, Math.min(max, Math.floor(this.credit / 1000)));
  }

  consume(events: number): void {
    this.credit -= events * 1000;
  }
}

/** Watermark = largest event time read minus maxOutOfOrderness; stamps events as they are read. */
export class SourceWatermark {
  maxTime = Number.NEGATIVE_INFINITY;

  constructor(readonly maxOutOfOrderness: number) {}

  get watermark(): number {
    return this.maxTime - this.maxOutOfOrderness;
  }

  /**
   * Stamps a fresh (not yet emitted) object: event and ingest time, and the watermark before
   * it only when the event arrived behind it.
   */
  stamp(e: Record<string | symbol, unknown>, time: number, now: number): void {
    const wm = this.maxTime - this.maxOutOfOrderness;
    e[EVENT_TIME] = time;
    e[INGEST_TIME] = now;
    if (time < wm) e[SOURCE_WATERMARK] = wm;
    if (time > this.maxTime) this.maxTime = time;
  }
}

/** Epoch ms from a time field: a number, a numeric string, or an ISO-8601 string. */
export function parseEventTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return n;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
