/**
 * source.http: drains the inbox the host (the Sluice server's ingest route) fills. Records are
 * fresh objects from JSON.parse, so they are stamped in place (event time, ingest time, the
 * watermark when behind) exactly as source.file stamps what it reads.
 */
import { durationMs, type Event } from '@sluice/shared';
import type { InboxSplit } from '../../sdk/inbox.js';
import type { SourceBatch, SourceFactory, SourceOperator } from '../../sdk/operator.js';
import { RecordClock } from '../../sdk/source-time.js';
import type { SourceHttpConfig } from './definition.js';

/** A split partition's share of the posted records (`parallelism` above 1), else undefined. */
export function inboxSplit(c: SourceHttpConfig, partition: { index: number; of: number } | undefined): InboxSplit | undefined {
  if (!partition || partition.of <= 1) return undefined;
  // The validator refuses a split without partitionBy; a host that skipped it gets a clear error.
  if (c.partitionBy === undefined)
    throw new Error(`source.http: parallelism ${partition.of} needs partitionBy (the field that places each record)`);
  return { index: partition.index, of: partition.of, partitionBy: c.partitionBy };
}

export const sourceHttpOperator: SourceFactory<SourceHttpConfig> = (ctx) => {
  if (!ctx.inbox)
    throw new Error('source.http needs a host that feeds it: deploy it on the Sluice server (`pnpm start`), not with `sluice run`');
  const inbox = ctx.inbox(ctx.config.maxBuffered, inboxSplit(ctx.config, ctx.partition));
  const clock = new RecordClock(ctx.config.timeField, durationMs(ctx.config.maxOutOfOrderness));

  const toBatch = (records: readonly unknown[]): SourceBatch => {
    const now = ctx.now();
    const events: Event[] = [];
    const errors: { event: Event; error: string }[] = [];
    for (const r of records) {
      if (r === null || typeof r !== 'object' || Array.isArray(r)) {
        errors.push({ event: { value: r as never }, error: 'not a JSON object' });
        continue;
      }
      const rec = r as Record<string | symbol, unknown>;
      const why = clock.stampRecord(rec, now);
      if (why === undefined) events.push(rec as Event);
      else errors.push({ event: rec as Event, error: why });
    }
    return { events, watermark: clock.watermarkAt(now), done: false, ...(errors.length > 0 ? { errors } : {}) };
  };

  const source: SourceOperator = {
    // Synchronous for a memory inbox (no promise per poll on the hot path), async for a durable one.
    poll(max) {
      const records = inbox.take(max);
      return Array.isArray(records) ? toBatch(records) : records.then(toBatch);
    },
  };
  // A durable inbox (Redis stream, BullMQ mode): its position is the source's, checkpointed by
  // the runtime; what a durable checkpoint covers is released (trimmed from the stream).
  if (inbox.position && inbox.seek) {
    const { position, seek } = inbox;
    source.position = () => position.call(inbox);
    source.seek = (pos) => seek.call(inbox, pos);
  }
  if (inbox.release) {
    const release = inbox.release;
    source.onCheckpoint = (pos) => release.call(inbox, pos);
  }
  return source;
};
