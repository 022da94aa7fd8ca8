/**
 * A batch as it travels in a job. Event metadata lives in symbol-keyed properties, which do not
 * serialize, so event time, ingest time and the source-watermark stamps travel beside the events
 * and are put back on arrival. The events travel as one MessagePack buffer (base64, as BullMQ
 * stores job data as JSON), and BullMQ's own JSON then copies one string instead of walking
 * thousands of objects. A batch of one shape goes as columns (batch-columns.ts: a few bytes an
 * event); one of mixed shapes as rows (records: each shape's keys written once). Values
 * round-trip as in memory (no JSON rounding of NaN or dropped undefined), so both engines see
 * the same events.
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { Packr } from 'msgpackr';
import { type Columns, fromColumns, stamps, toColumns } from './batch-columns.js';

// Records with their structures inside each message: any worker decodes any batch.
const packr = new Packr({ useRecords: true, structuredClone: false });

/** Rows: batches of mixed shapes (and jobs written before columns). */
interface Payload {
  events: Record<string, unknown>[];
  times: number[];
  ingest: number[];
  behind: [number, number][];
}

export interface BatchJob {
  /** Edge id and partitions: the channel this batch belongs to. */
  edge: string;
  from: number;
  to: number;
  /** Sequence number within the channel, from 1: a retried batch has the same one. */
  seq: number;
  /** The channel's watermark after this batch; 'inf' at end of input. */
  wm: number | 'inf' | null;
  /** How many events `p` holds (0: a heartbeat, `p` absent). */
  n: number;
  /** How many events the rows of `p` stand for, when a combiner folded them (docs/combiner.md). */
  e?: number;
  /** MessagePack of Columns (`c`) or of rows { events, times, ingest, behind: [index, source watermark][] }, base64. */
  p?: string;
  /**
   * The deploy generation that produced the batch: after a hot redeploy a worker still holding
   * the previous plan refuses it (retried until a worker with the new plan takes it).
   */
  gen?: string;
}

/**
 * `fields`: ship only these top-level fields of each event (the exchange's projection,
 * compile/projection.ts); the stamps always travel.
 */
export function encodeEvents(events: readonly Event[], fields?: readonly string[]): Pick<BatchJob, 'n' | 'p'> {
  if (events.length === 0) return { n: 0 };
  const columns = toColumns(events, fields);
  if (columns) return { n: events.length, p: packr.pack({ c: columns }).toString('base64') };
  const times = new Array<number>(events.length);
  const ingest = new Array<number>(events.length);
  const behind: [number, number][] = [];
  stamps(events, times, ingest, behind);
  const payload: Payload = {
    events: fields ? events.map((e) => project(e, fields)) : (events as Record<string, unknown>[]),
    times,
    ingest,
    behind,
  };
  return { n: events.length, p: packr.pack(payload).toString('base64') };
}

function project(e: Event, fields: readonly string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) if (f in e) o[f] = e[f];
  return o;
}

export function decodeEvents(job: Pick<BatchJob, 'n' | 'p'>): Event[] {
  if (!job.p) return [];
  const payload = packr.unpack(Buffer.from(job.p, 'base64')) as Payload | { c: Columns };
  if ('c' in payload) return fromColumns(payload.c);
  const { events, times, ingest, behind } = payload;
  const out = events as Record<string | symbol, unknown>[];
  for (let i = 0; i < out.length; i++) {
    const e = out[i]!;
    e[EVENT_TIME] = times[i];
    if (ingest[i]) e[INGEST_TIME] = ingest[i];
  }
  for (const [i, sw] of behind) out[i]![SOURCE_WATERMARK] = sw;
  return out as Event[];
}

export function encodeWatermark(wm: number): BatchJob['wm'] {
  if (wm === Number.POSITIVE_INFINITY) return 'inf';
  return Number.isFinite(wm) ? wm : null;
}

export function decodeWatermark(wm: BatchJob['wm']): number {
  if (wm === 'inf') return Number.POSITIVE_INFINITY;
  return wm ?? Number.NEGATIVE_INFINITY;
}
