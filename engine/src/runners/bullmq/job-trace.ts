/**
 * Opt-in per-job timing for latency work (issue 14, target 5): with SLUICE_TRACE_JOBS=<file>,
 * each keyed job a worker applies appends one JSON line: its queue, the latest ingest time of
 * its events (newest and oldest), BullMQ's add and activation times, and when the processor started and finished.
 * Stages of the path from window fire to sink write can then be told apart (bench/results/
 * latency-s16.md). Off by default: the decode below is extra work per job.
 */
import { appendFileSync } from 'node:fs';
import { INGEST_TIME } from '@sluice/shared';
import { type BatchJob, decodeEvents } from './batch-codec.js';

const file = process.env.SLUICE_TRACE_JOBS;

export interface TracedJob {
  queueName: string;
  timestamp: number;
  processedOn?: number;
  data: BatchJob;
}

/** Runs `apply` and records its timings when tracing is on; `how` says which path applied it. */
export async function traced<T>(job: TracedJob, how: string, apply: () => Promise<T>): Promise<T> {
  if (!file) return apply();
  const start = Date.now();
  const out = await apply();
  const end = Date.now();
  // Each event's own ingest time is what the sink's latency counts: the oldest is the job's worst sample.
  let ingest = 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const e of decodeEvents(job.data)) {
    const t = Number(e[INGEST_TIME] ?? 0);
    if (t > 0) [ingest, oldest] = [Math.max(ingest, t), Math.min(oldest, t)];
  }
  const line = {
    q: job.queueName,
    how,
    seq: job.data.seq,
    from: job.data.from,
    n: job.data.n,
    ingest,
    oldest,
    added: job.timestamp,
    active: job.processedOn,
    start,
    end,
    applied: out,
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
  return out;
}
