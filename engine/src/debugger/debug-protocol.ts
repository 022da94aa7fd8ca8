/**
 * What a debug session's worker and the server say to each other, and what the API answers
 * (docs/debugger.md). Plain JSON: events lose their symbol stamps on the way, so the event time
 * and the source watermark stamp travel as fields of the pause.
 */
import type { ParamValue, PipelineDocument } from '@sluice/shared';
import type { RecordedEvent } from '../recording/recorded-event.js';

export interface Breakpoint {
  id: string;
  edge: string;
  /** An expression (docs/expressions.md) on the event crossing the edge; absent: every event. */
  condition?: string;
}

/** What the session does until it pauses again. */
export type DebugCommand = 'step' | 'step-batch' | 'run-to-hit' | 'continue' | 'stop';

/** Command codes in the shared gate (index 1); index 0 is 1 while a command waits to be read. */
export const COMMAND_CODES: Record<DebugCommand, number> = { step: 1, 'step-batch': 2, 'run-to-hit': 3, continue: 4, stop: 5 };

/** A watermark in JSON: null before the first, `"end"` at the end of input (+Infinity). */
export type WatermarkValue = number | null | 'end';

export const watermarkValue = (w: number): WatermarkValue =>
  w === Number.POSITIVE_INFINITY ? 'end' : w === Number.NEGATIVE_INFINITY ? null : w;

export interface StageWatermark {
  stage: number;
  nodes: readonly string[];
  watermark: WatermarkValue;
}

export interface Pane {
  start: number;
  end: number;
  /** Events in the pane so far. */
  count: number;
  /** Every aggregate of the window as it would be emitted now, by its `as` name. */
  aggregates: Record<string, unknown>;
}

export type KeyedNodeState =
  | { node: string; type: 'window'; keyBy: readonly string[]; key: Record<string, unknown>; panes: Pane[] }
  | {
      node: string;
      type: 'rules';
      /** 1-based number of the first matching row; 0: none matched (the default applies). */
      row: number;
      /** The row as configured (null for the default). */
      rowConfig: unknown;
      /** The output fields the row (or the default) gives this event. */
      outputs: Record<string, unknown>;
    };

export interface DebugPause {
  /** 1, 2, ... per session. */
  seq: number;
  reason: 'breakpoint' | 'step' | 'step-batch';
  /** The breakpoint that hit (reason breakpoint). */
  breakpoint?: string;
  edge: { id: string; source: string; sourcePort: string; target: string; targetPort: string };
  /** The event's position in the batch crossing the edge, and the batch's size. */
  index: number;
  batchSize: number;
  event: Record<string, unknown>;
  /** Event time (epoch ms), null when unstamped. */
  eventTime: number | null;
  /** The source's watermark when the event arrived behind it (a late arrival), else absent. */
  sourceWatermark?: number;
  watermarks: StageWatermark[];
  /** The nearest window or rules node at or after the edge's target, for the event's key. */
  state?: KeyedNodeState;
  progress: { sourceBatches: number; sourceEvents: number; crossings: number };
  /** Hits per breakpoint so far, and conditions that failed to evaluate (not counted as hits). */
  hits: Record<string, { hits: number; conditionErrors: number }>;
}

export interface DebugEnd {
  status: string;
  error?: string;
  /** Errors counted per node. */
  errors: Record<string, number>;
  /** What each sink received: the count, and the events (first MAX_END_OUTPUTS). */
  outputs: Record<string, { count: number; events: Record<string, unknown>[] }>;
  progress: DebugPause['progress'];
  hits: DebugPause['hits'];
  /** Why it ended early: stopped by a caller, or freed after being idle. */
  reason?: 'stopped' | 'expired' | 'failed';
}

export const MAX_END_OUTPUTS = 1000;

export interface WorkerInit {
  document: PipelineDocument;
  params: Record<string, ParamValue>;
  events: Record<string, readonly RecordedEvent[]>;
  baseDir: string;
  breakpoints: Breakpoint[];
  /** Events per source batch (1 by default: a window has taken every event before the paused one). */
  batchSize: number;
  gate: SharedArrayBuffer;
  plugins: readonly string[];
  tsx?: string;
}

export type FromWorker =
  | { t: 'ready' }
  | { t: 'paused'; pause: DebugPause }
  | { t: 'ended'; end: DebugEnd }
  | { t: 'failed'; message: string };
