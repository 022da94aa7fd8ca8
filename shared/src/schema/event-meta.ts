/**
 * Metadata that rides on events without being part of their JSON: symbol-keyed properties are
 * copied by object spread (so `{...event, x}` keeps them) and ignored by JSON.stringify (so
 * sinks never print them).
 */

/** Event time in epoch ms, stamped by the source (its `timeField`, or read time). */
export const EVENT_TIME: unique symbol = Symbol.for('sluice.eventTime') as never;
/**
 * The source's watermark when it read this event, stamped only on events that arrived behind
 * it (time < watermark). Lets a window decide lateness the same way whatever the batch size or
 * partition count. See docs/watermarks-and-lateness.md.
 */
export const SOURCE_WATERMARK: unique symbol = Symbol.for('sluice.sourceWatermark') as never;
/** Wall-clock ms when the source ingested the event: end-to-end latency is sink time minus this. */
export const INGEST_TIME: unique symbol = Symbol.for('sluice.ingestTime') as never;

export type Event = Readonly<Record<string, unknown>> & {
  readonly [EVENT_TIME]?: number;
  readonly [SOURCE_WATERMARK]?: number;
  readonly [INGEST_TIME]?: number;
};

export function eventTime(e: Event): number {
  return e[EVENT_TIME] ?? 0;
}
