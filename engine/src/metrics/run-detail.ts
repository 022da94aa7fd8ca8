/**
 * What /metrics needs beyond a run's live snapshot: the plan (readable stage labels) and the
 * histograms themselves, so Prometheus gets buckets it can aggregate instead of precomputed
 * quantiles. Engine-internal: the SSE stream and the protocol keep their small snapshot.
 */
import type { Plan } from '../compile/plan.js';
import type { Histogram } from './histogram.js';

export interface RunHistograms {
  /** Batch processing time per node, ms (summed over partitions and workers). */
  batch: ReadonlyMap<string, Histogram>;
  /** End-to-end latency per sink, ms. */
  latency: ReadonlyMap<string, Histogram>;
}

export interface RunDetail extends RunHistograms {
  plan: Plan;
}
