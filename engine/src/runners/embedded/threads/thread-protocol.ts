/**
 * Messages between the main thread of a threaded embedded run and its partition threads, and
 * between partition threads (docs/embedded-threads.md). Events always travel as transferred
 * buffers (thread-batch-codec.ts); everything else is small and structured-cloned.
 */
import type { ParamValue, PipelineDocument } from '@sluice/shared';
import type { SourceBatch, StateSnapshot } from '@sluice/nodes/sdk';
import type { NodeCounts } from '@sluice/shared';
import type { ErrorSample } from '../../../metrics/error-samples.js';

/** What a partition thread is started with (workerData); ports come in `peers`. */
export interface ThreadInit {
  index: number;
  threads: number;
  partitions: number;
  document: PipelineDocument;
  pipelineId: string;
  baseDir: string;
  fileRoots?: readonly string[];
  params?: Record<string, ParamValue>;
  secrets?: Readonly<Record<string, string>>;
  /** tsx's ESM API when the engine runs as TypeScript (thread-entry.ts): registered before plugins load. */
  tsx?: string;
  /** Plugin specs this process loaded (absolute folders or package names). */
  plugins: readonly string[];
  /** `node#partition` -> state, restored instead of started (a hot redeploy). */
  state: [string, StateSnapshot][];
  /** Whether the run has a console writer (lines are then posted to the main thread). */
  console: boolean;
  /** Edges a tap listens on. */
  tapped: string[];
  /**
   * Source partitions (`node#partition`) the main thread polls and deals here (a replaced
   * source, a push source fed by the server); every other source partition of this thread is
   * polled in the thread itself.
   */
  fedByMain: string[];
  batchSize: number;
  batchDelayMs: number;
  /** Watermark alignment of split sources across threads (ms of event time; Infinity: off). */
  maxDriftMs: number;
  /** A hot redeploy: kept sources the run's previous part in this thread left under this token. */
  takeSources?: string;
}

/** A source batch (or, without `buf`, only its watermark) for one partition of a source stage. */
export interface SourceItem {
  stage: number;
  part: number;
  buf?: ArrayBuffer;
  shallow?: boolean;
  errors?: SourceBatch['errors'];
  wm: number;
  done: boolean;
}

export type ToThread =
  | { t: 'src'; items: SourceItem[]; ack: boolean }
  | { t: 'taps'; edges: string[] }
  /** Count the items sent to and received from peers; `flush`: flush the sinks first (what that emits counts). */
  | { t: 'probe'; flush?: boolean }
  | { t: 'snapshot'; nodes: string[]; handoff: string }
  | { t: 'pause' }
  /** Start (or, after a pause whose swap failed, resume) polling the sources placed in the thread. */
  | { t: 'go' }
  | { t: 'close' }
  | { t: 'release' };

/** Between threads: events or a watermark on an exchange edge from one partition. */
export type PeerItem =
  | { t: 'ev'; edge: string; from: number; to: number; buf: ArrayBuffer }
  | { t: 'wm'; edge: string; from: number; wm: number };

/**
 * What one thread posts another: the items one of its jobs produced for it, in order (one
 * message per job, not per batch and watermark: a message costs more than a small batch), or
 * the receiver's acknowledgement of one such message (the sender's own sources wait while too
 * many are unhandled).
 */
export type PeerMessage =
  | { t: 'items'; items: PeerItem[] }
  | { t: 'ack' }
  /** The sender's alignment watermark for a split source node (peer-alignment.ts). */
  | { t: 'align'; node: string; wm: number };

export interface NodeReport {
  counts: NodeCounts;
  batch: [number, number][];
  latency?: [number, number][];
  samples: ErrorSample[];
}

export interface MetricsReport {
  nodes: Record<string, NodeReport>;
  edges: Record<string, number>;
  /** [stage, partition of the thread plan, watermark] */
  watermarks: [number, number, number][];
}

export type FromThread =
  | { t: 'ready' }
  | { t: 'startFailed'; node?: string; message: string }
  | { t: 'failed'; message: string }
  | { t: 'ack' }
  | { t: 'metrics'; report: MetricsReport }
  | { t: 'tap'; edge: string; events: unknown[] }
  | { t: 'line'; text: string }
  | { t: 'done' }
  | { t: 'counts'; sent: number; received: number }
  | { t: 'state'; entries: [string, StateSnapshot][] }
  | { t: 'paused' }
  | { t: 'closed' };
