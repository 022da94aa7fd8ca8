/**
 * The runner interface: what the server and the CLI use to run a pipeline. The embedded runner
 * (one process, in-memory exchanges) and the BullMQ runner (queues in Redis, worker processes)
 * both implement it and both pass runner.contract.ts.
 */
import type { Event, ParamValue, PipelineDocument, PipelineMetrics, RunStatus } from '@sluice/shared';
import type { MemoryStateRegistry, Operator, SourceOperator } from '@sluice/nodes/sdk';
import type { RedeployDiff } from '../compile/redeploy-diff.js';
import type { ErrorSample } from '../metrics/error-samples.js';
import type { RunDetail } from '../metrics/run-detail.js';
import type { IngestHub } from '../runtime/ingest-hub.js';
import type { TapListener, TapOptions } from '../runtime/taps.js';

export interface RunOptions {
  /** Folder that relative paths in the document resolve against. */
  baseDir: string;
  /** Secret values by name that win over the environment (a pipeline test's stand-ins; embedded only). */
  secrets?: Readonly<Record<string, string>>;
  /** Folders the pipeline's files must really be in (path-confinement.ts); unset: not confined (CLI). */
  fileRoots?: readonly string[];
  /** Pipeline id for metrics and queues (default: the document's id, else "pipeline"). */
  pipelineId?: string;
  /** Param values overriding the document's (already checked). */
  params?: Record<string, ParamValue>;
  /** Max events per micro-batch (default 1000 embedded, BULLMQ_BATCH_SIZE on BullMQ). */
  batchSize?: number;
  /** How long a source waits before polling again when it had less than a full batch (ms, default 20). */
  batchDelayMs?: number;
  /** Partitions per keyed stage (default 2). */
  partitions?: number;
  /**
   * Watermark alignment of split sources (docs/watermark-alignment.md): how far ahead in event
   * time (ms) a source partition may read past the slowest partition of the same node that is
   * still reading. Default 10 s on the embedded runner's threads, 100 s on BullMQ (its batches
   * are 10x larger: runtime/source-alignment.ts), or SLUICE_ALIGN_MAX_DRIFT_MS; Infinity: off.
   * Results do not depend on it; memory and timing do.
   */
  maxDriftMs?: number;
  /** Where sink.console writes (default stdout). */
  consoleWriter?: (line: string) => void;
  /** Clock (tests). */
  now?: () => number;
  /**
   * Replace a source node's operator (replaying a recording for a preview, events prepared in
   * memory for a benchmark). The node's config is still validated; its events come from here.
   */
  sourceOverrides?: Record<string, () => SourceOperator>;
  /**
   * Replace a non-source node's operator (a preview captures what sinks receive). Embedded
   * runner only; the node's config is still validated.
   */
  operatorOverrides?: Record<string, () => Operator>;
  /**
   * Told of every batch a source emits (the server records them for previews). Keep it cheap,
   * and copy what you keep: an owned batch's events are changed in place downstream.
   */
  onSourceEvents?: (pipelineId: string, nodeId: string, events: readonly Event[]) => void;
  /** Where push sources (source.http) get their inboxes; the server passes its hub. */
  ingest?: IngestHub;
  /**
   * Told of every batch at the moment it crosses an edge, before the edge's target gets it, with
   * a view of the run's state then (the stream debugger, docs/debugger.md). Synchronous, on the
   * run's own thread: embedded runner on one thread only (a function cannot cross threads).
   */
  onEdgeCrossing?: (edgeId: string, events: readonly Event[], run: RunInspector) => void;
}

/** The state of a run at an edge crossing (onEdgeCrossing): read it there, it changes after. */
export interface RunInspector {
  /** A node's declared state, its type and parsed config (partition 0: the debugger runs one partition). */
  node(
    nodeId: string,
  ): { type: string; config: Record<string, unknown>; keyBy?: readonly string[]; state: MemoryStateRegistry } | undefined;
  /** Every stage's watermark (its partition 0's), in plan order, with the nodes it holds. */
  stages(): { stage: number; nodes: readonly string[]; watermark: number }[];
}

export interface RunResult {
  status: RunStatus;
  metrics: PipelineMetrics;
  error?: string;
  /**
   * A stop drains queued batches within a bound (BullMQ: 10 s); what was still queued then was
   * removed unprocessed. Absent when nothing was.
   */
  discarded?: { batches: number; events: number };
  /** Per node with errors, its first distinct error messages (redacted, bounded) with their counts. */
  errorSamples?: Record<string, ErrorSample[]>;
}

export interface RunHandle {
  readonly pipelineId: string;
  /** Settles when every bounded source has ended and all output is flushed, or on stop/failure. */
  readonly done: Promise<RunResult>;
  status(): RunStatus;
  metrics(): PipelineMetrics;
  /** The plan and histograms behind metrics(), for /metrics (readable stage labels, buckets). */
  detail?(): RunDetail;
  /** Stop sources, flush sinks, release resources. Open windows are not emitted. */
  stop(): Promise<RunResult>;
  /**
   * Listen to the events crossing an edge. Returns the unsubscribe function. BullMQ: edges run
   * in workers are sampled (remote-taps.ts), so a count over a tap is exact on embedded runs only.
   */
  tap(edgeId: string, listener: TapListener, options?: TapOptions): () => void;
  /**
   * Hot redeploy (docs/hot-redeploy.md): replace the running pipeline by a changed document
   * between batches, keeping the state of unchanged nodes and the positions of unchanged
   * sources; the handle stays the same. Throws HotSwapRefused (the run is untouched) when a swap
   * is impossible, so the caller stops and starts instead; any other error also leaves the old
   * pipeline running.
   */
  redeploy?(document: PipelineDocument, options: RunOptions): Promise<RedeployDiff>;
}

/** A hot redeploy cannot be done (the run ended, a preview run, another folder): stop and start instead. */
export class HotSwapRefused extends Error {
  readonly code = 'hot-swap-refused';
  constructor(reason: string) {
    super(reason);
    this.name = 'HotSwapRefused';
  }
}

export interface Runner {
  readonly kind: 'embedded' | 'bullmq';
  /** Start a validated document (node configs parsed, defaults applied). */
  deploy(document: PipelineDocument, options: RunOptions): Promise<RunHandle>;
  /**
   * Re-attach to a run that outlived this process (BullMQ keeps queues, state and source
   * checkpoints in Redis); undefined when there is none. Runners without it are redeployed.
   */
  resume?(pipelineId: string, options: Omit<RunOptions, 'baseDir'>): Promise<RunHandle | undefined>;
  /** Whatever the runner depends on answers (Redis); for /readyz. */
  ready?(): Promise<boolean>;
  /** Worker processes that beat in the last few seconds (BullMQ); for /metrics and alerts. */
  liveWorkers?(): Promise<number>;
  /**
   * Stop coordinating every run without undeploying it (BullMQ: another server resumes them);
   * the runner stays usable. For a server that lost the coordinator lease (docs/multi-server.md).
   */
  detachAll?(): Promise<void>;
  close(): Promise<void>;
}

export const RUN_DEFAULTS = { batchSize: 1000, batchDelayMs: 20, partitions: 2 } as const;

/**
 * BullMQ's default batch: a job costs Redis round trips whatever its size, so bigger batches
 * carry more events per round trip (measured on YSB: ~2x the events/s of 1000-event batches).
 * A batch is only as big as what a poll finds, so at modest rates latency does not grow.
 */
export const BULLMQ_BATCH_SIZE = 10_000;
