/** Live metrics as the engine reports them: to the CLI, the API's SSE stream, /metrics, the editor. */

/** The counters every node has: what a task commits and a run sums over partitions and reports. */
export interface NodeCounts {
  in: number;
  out: number;
  errors: number;
  late: number;
  dropped: number;
  batches: number;
  /** Time spent inside the operator itself (not downstream), ms: the per-stage cost breakdown. */
  busyMs: number;
}

export interface NodeMetrics extends NodeCounts {
  /** Batch processing time percentiles, ms. */
  batchP50Ms: number;
  batchP99Ms: number;
}

export interface StageMetrics {
  nodes: string[];
  partitions: number;
  /** Events waiting to be processed (queue depth). */
  backlog: number;
  /** Smallest watermark over the stage's partitions (epoch ms; null before the first). */
  watermark: number | null;
  /** Wall clock minus watermark, ms, when the watermark is known and finite. */
  watermarkLagMs: number | null;
}

export interface SinkLatency {
  /** End-to-end latency (sink time minus ingest time), ms. */
  p50Ms: number;
  p99Ms: number;
  count: number;
}

export type RunStatus = 'starting' | 'running' | 'completed' | 'stopped' | 'failed';

export interface PipelineMetrics {
  /** Wall clock ms when the snapshot was taken. */
  at: number;
  status: RunStatus;
  startedAt: number;
  nodes: Record<string, NodeMetrics>;
  edges: Record<string, { events: number }>;
  stages: Record<string, StageMetrics>;
  sinks: Record<string, SinkLatency>;
  error?: string;
}
