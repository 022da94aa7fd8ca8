/**
 * A batch as it travels in a job. Event metadata lives in symbol-keyed properties, which do not
 * serialize, so event time, ingest time and the source-watermark stamps travel beside the events
 * and are put back on arrival.
 */
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';

export interface BatchJob {
  /** Edge id and partitions: the channel this batch belongs to. */
  edge: string;
  from: number;
  to: number;
  /** Sequence number within the channel, from 1: a retried batch has the same one. */
  seq: number;
  /** The channel's watermark after this batch; 'inf' at end of input. */
  wm: number | 'inf' | null;
  events: Record<string, unknown>[];
  times: number[];
  ingest: number[];
  /** [index, source watermark] for events stamped behind the watermark. */
  behind: [number, number][];
  /**
   * The deploy generation that produced the batch: after a hot redeploy a worker still holding
   * the previous plan refuses it (retried until a worker with the new plan takes it).
   */
  gen?: string;
}

export function encodeEvents(events: readonly Event[]): Pick<BatchJob, 'events' | 'times' | 'ingest' | 'behind'> {
  const times = new Array<number>(events.length);
  const ingest = new Array<number>(events.length);
  const behind: [number, number][] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    times[i] = e[EVENT_TIME] ?? 0;
    ingest[i] = e[INGEST_TIME] ?? 0;
    const sw = e[SOURCE_WATERMARK];
    if (sw !== undefined) behind.push([i, sw]);
  }
  return { events: events as Record<string, unknown>[], times, ingest, behind };
}

export function decodeEvents(job: Pick<BatchJob, 'events' | 'times' | 'ingest' | 'behind'>): Event[] {
  const out = job.events as Record<string | symbol, unknown>[];
  for (let i = 0; i < out.length; i++) {
    const e = out[i]!;
    e[EVENT_TIME] = job.times[i];
    if (job.ingest[i]) e[INGEST_TIME] = job.ingest[i];
  }
  for (const [i, sw] of job.behind) out[i]![SOURCE_WATERMARK] = sw;
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
