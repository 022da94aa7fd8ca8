import { durationMs, EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import type { SourceBatch, SourceFactory, SourceOperator } from '../sdk/operator.js';
import type { SourceHttpConfig } from './definition.js';

export const sourceHttpOperator: SourceFactory<SourceHttpConfig> = (ctx) => {
  if (!ctx.inbox) throw new Error('source.http needs a host that feeds it (the Sluice server)');
  const inbox = ctx.inbox(ctx.config.maxBuffered);
  const ooo = durationMs(ctx.config.maxOutOfOrderness);
  const timeField = ctx.config.timeField;
  let maxTime = Number.NEGATIVE_INFINITY;
  const source: SourceOperator = {
    poll(max): SourceBatch {
      const records = inbox.take(max);
      const now = ctx.now();
      const events: Event[] = [];
      const errors: { event: Event; error: string }[] = [];
      for (const r of records) {
        if (r === null || typeof r !== 'object' || Array.isArray(r)) {
          errors.push({ event: { value: r as never }, error: 'not a JSON object' });
          continue;
        }
        const rec = r as Record<string | symbol, unknown>;
        let t = now;
        if (timeField !== undefined) {
          const v = rec[timeField];
          t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
          if (!Number.isFinite(t)) {
            errors.push({ event: rec as Event, error: `${timeField}: ${v === undefined ? 'missing' : `${JSON.stringify(v)} is not a time`}` });
            continue;
          }
        }
        const wm = maxTime - ooo;
        if (t > maxTime) maxTime = t;
        rec[EVENT_TIME] = t;
        rec[INGEST_TIME] = now;
        if (t < wm) rec[SOURCE_WATERMARK] = wm;
        events.push(rec as Event);
      }
      return { events, watermark: maxTime - ooo, done: false, ...(errors.length > 0 ? { errors } : {}) };
    },
  };
  return source;
};
