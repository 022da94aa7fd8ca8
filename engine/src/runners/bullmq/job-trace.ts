/**
 * Opt-in per-job timing for latency work (issue 14, target 5): with SLUICE_TRACE_JOBS=<file>,
 * each keyed job a worker applies appends one JSON line: its queue, its events' ingest times
 * (newest, oldest, and all of them for small jobs), BullMQ's add and activation times, and when
 * the processor started and finished.
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

/** Runs `apply` and records its timings when tracing is on. */
export async function traced<T>(job: TracedJob, apply: () => Promise<T>): Promise<T> {
  if (!file) return apply();
  const start = Date.now();
  const out = await apply();
  const end = Date.now();
  // Each event's own ingest time is what the sink's latency counts: the oldest is the job's worst sample.
  const times = decodeEvents(job.data)
    .map((e) => Number(e[INGEST_TIME] ?? 0))
    .filter((t) => t > 0);
  const ingest = Math.max(0, ...times);
  const oldest = Math.min(ingest, ...times);
  const line = {
    q: job.queueName,
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
    // Small jobs (a sink's window results): every event's ingest time, for per-sample figures.
    ...(times.length <= 200 ? { times } : {}),
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
  return out;
}
