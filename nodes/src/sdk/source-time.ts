/**
 * What every source does with time: the token bucket behind `rate` (source.file,
 * source.generator), and the watermark with its per-event stamps (RecordClock, every source;
 * see docs/watermarks-and-lateness.md).
 */
import { EVENT_TIME, type FieldReader, fieldReader, INGEST_TIME, parseTime, SOURCE_WATERMARK } from '@sluice/shared';

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

/**
 * Event time for the records of a source, the same for every source: from `timeField` (a
 * field path; epoch ms, numeric string or ISO 8601, no offset meaning UTC) or, without one, the read time. Stamps each
 * fresh record and keeps the watermark.
 */
export class RecordClock extends SourceWatermark {
  private readonly getTime: FieldReader | undefined;

  constructor(
    readonly timeField: string | undefined,
    maxOutOfOrderness: number,
  ) {
    super(maxOutOfOrderness);
    this.getTime = timeField === undefined ? undefined : fieldReader(timeField);
  }

  /** Stamps a fresh record; or returns why it cannot be (the time field missing or unreadable). */
  stampRecord(record: Record<string | symbol, unknown>, now: number): string | undefined {
    let t = now;
    if (this.getTime) {
      const raw = this.getTime(record as Record<string, unknown>);
      const parsed = parseTime(raw);
      if (parsed === undefined) {
        return raw === null || raw === undefined
          ? `timeField "${this.timeField}" is missing`
          : `timeField "${this.timeField}" is not a time (epoch ms or ISO-8601): ${JSON.stringify(raw)}`;
      }
      t = parsed;
    }
    this.stamp(record, t, now);
    return undefined;
  }

  /**
   * The watermark after the records stamped so far. With the read time as event time every later
   * record is stamped at least `now`, so the watermark follows the clock while nothing arrives
   * (windows downstream still close).
   */
  watermarkAt(now: number): number {
    return this.getTime ? this.watermark : Math.max(this.maxTime, now) - this.maxOutOfOrderness;
  }
}
