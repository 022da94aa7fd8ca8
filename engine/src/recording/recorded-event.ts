/**
 * A source event as the recording keeps it: the JSON body plus the two stamps that decide what
 * a window does with it (event time, and the source watermark stamped on events that arrived
 * behind it). Replaying the stamps, not re-deriving them, makes lateness in a preview the same
 * as it was live (docs/watermarks-and-lateness.md).
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';

export interface RecordedEvent {
  /** The event's fields. */
  e: Record<string, unknown>;
  /** Event time, epoch ms. */
  t?: number;
  /** The source's watermark when it read the event, when the event was behind it. */
  w?: number;
  /** When it was recorded, epoch ms: set when the pipeline's recording has a TTL (docs/privacy.md). */
  a?: number;
}

export function recordEvent(event: Event, at?: number): RecordedEvent {
  // A copy: the pipeline may change an owned source batch's events in place after this returns.
  const r: RecordedEvent = { e: { ...event } as Record<string, unknown> };
  if (at !== undefined) r.a = at;
  const t = event[EVENT_TIME];
  if (t !== undefined) r.t = t;
  const w = event[SOURCE_WATERMARK];
  if (w !== undefined) r.w = w;
  return r;
}

/** A fresh event carrying the recorded stamps (ingest time is the replay's own). */
export function replayEvent(r: RecordedEvent, now: number): Event {
  const e: Record<string | symbol, unknown> = { ...r.e };
  if (r.t !== undefined) e[EVENT_TIME] = r.t;
  if (r.w !== undefined) e[SOURCE_WATERMARK] = r.w;
  e[INGEST_TIME] = now;
  return e as Event;
}
