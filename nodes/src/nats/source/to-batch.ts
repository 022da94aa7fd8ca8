/**
 * Received messages -> a source batch: decoded (json or text), the subject added, stamped with
 * event and ingest time like every source. A message that cannot be an event becomes one error
 * record (so each message gives exactly one record: the BullMQ runner's replay of an
 * interrupted batch counts on that).
 */
import { durationMs, type Event } from '@sluice/shared';
import type { SourceBatch } from '../../sdk/operator.js';
import { RecordClock } from '../../sdk/source-time.js';
import type { SourceNatsConfig } from './definition.js';
import type { Received } from './message-buffer.js';

/** Characters of a bad payload kept on the error port: enough to see what went wrong. */
const RAW_CHARS = 1000;

const utf8 = new TextDecoder();

export class BatchMaker {
  private readonly clock: RecordClock;

  constructor(
    private readonly c: SourceNatsConfig,
    private readonly now: () => number,
  ) {
    this.clock = new RecordClock(c.timeField, durationMs(c.maxOutOfOrderness));
  }

  make(messages: readonly Received[], done: boolean, extraErrors: { event: Event; error: string }[] = []): SourceBatch {
    const now = this.now();
    const events: Event[] = [];
    const errors = extraErrors;
    for (const m of messages) {
      const d = this.decode(m);
      if ('error' in d) {
        errors.push(d);
        continue;
      }
      const why = this.clock.stampRecord(d.record, now);
      if (why === undefined) events.push(d.record as Event);
      else errors.push({ event: withWhere(d.record, m), error: `${where(m)}: ${why}` });
    }
    return { events, watermark: this.clock.watermarkAt(now), done, ...(errors.length > 0 ? { errors } : {}) };
  }

  private decode(m: Received): { record: Record<string | symbol, unknown> } | { event: Event; error: string } {
    const text = utf8.decode(m.data);
    if (this.c.format === 'text') return { record: this.c.includeSubject ? { payload: text, subject: m.subject } : { payload: text } };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { event: bad(m, text), error: `${where(m)}: payload is not JSON (${(err as Error).message})` };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { event: bad(m, text), error: `${where(m)}: payload is not a JSON object` };
    }
    const record = value as Record<string, unknown>;
    // The NATS subject wins over a payload field of the same name: `subject` always means one
    // thing downstream (includeSubject: false keeps the payload's own field).
    if (this.c.includeSubject) record.subject = m.subject;
    return { record };
  }
}

/** `subject orders.eu (seq 42)`: where a bad message came from, for the error text. */
function where(m: Received): string {
  return m.seq === undefined ? `subject ${m.subject}` : `subject ${m.subject} (seq ${m.seq})`;
}

function bad(m: Received, text: string): Event {
  return {
    subject: m.subject,
    ...(m.seq !== undefined ? { seq: m.seq } : {}),
    _raw: text.length > RAW_CHARS ? text.slice(0, RAW_CHARS) : text,
  };
}

/** The record itself on the error port, with where it came from (not overwriting its fields). */
function withWhere(record: Record<string, unknown>, m: Received): Event {
  return { subject: m.subject, ...(m.seq !== undefined ? { seq: m.seq } : {}), ...record };
}
