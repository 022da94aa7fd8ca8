/**
 * The stream debugger's messages (docs/debugger.md): what a session's worker reports and the API
 * answers, one definition for the engine that sends them (engine/src/debugger/debug-protocol.ts
 * adds the worker's own messages) and the editor that reads them. Plain JSON: events lose their
 * symbol stamps on the way, so the event time and the source watermark stamp travel as fields.
 */

export interface DebugBreakpoint {
  id: string;
  edge: string;
  /** An expression (docs/expressions.md) on the event crossing the edge; absent: every event. */
  condition?: string;
}

/** What the session does until it pauses again; `stop` ends it (the API's DELETE). */
export type DebugCommand = 'step' | 'step-batch' | 'run-to-hit' | 'continue' | 'stop';
/** The commands with a route of their own (`POST /api/debug/:session/<command>`). */
export type DebugStepCommand = Exclude<DebugCommand, 'stop'>;

/** A watermark in JSON: null before the first, `"end"` at the end of input (+Infinity). */
export type WatermarkValue = number | null | 'end';

export interface DebugStageWatermark {
  stage: number;
  nodes: readonly string[];
  watermark: WatermarkValue;
}

export interface DebugPane {
  start: number;
  end: number;
  /** Events in the pane so far. */
  count: number;
  /** Every aggregate of the window as it would be emitted now, by its `as` name. */
  aggregates: Record<string, unknown>;
}

export type DebugKeyedState =
  | { node: string; type: 'window'; keyBy: readonly string[]; key: Record<string, unknown>; panes: DebugPane[] }
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
  watermarks: DebugStageWatermark[];
  /** The nearest window or rules node at or after the edge's target, for the event's key. */
  state?: DebugKeyedState;
  progress: { sourceBatches: number; sourceEvents: number; crossings: number };
  /** Hits per breakpoint so far, and conditions that failed to evaluate (not counted as hits). */
  hits: Record<string, { hits: number; conditionErrors: number }>;
}

export interface DebugEnd {
  status: string;
  error?: string;
  /** Errors counted per node. */
  errors: Record<string, number>;
  /** What each sink received: the count, and the events (the first ones, up to a limit). */
  outputs: Record<string, { count: number; events: Record<string, unknown>[] }>;
  progress: DebugPause['progress'];
  hits: DebugPause['hits'];
  /** Why it ended early: stopped by a caller, or freed after being idle. */
  reason?: 'stopped' | 'expired' | 'failed';
}

export type DebugSessionStatus = 'ready' | 'running' | 'paused' | 'ended';

/**
 * A session as the API shows it (`POST /api/pipelines/:id/debug` adds `samples` and the server's
 * limits, `GET .../state` and `DELETE /api/debug/:session` answer it as is).
 */
export interface DebugSessionView {
  id: string;
  pipelineId: string;
  status: DebugSessionStatus;
  /** ISO 8601. */
  createdAt: string;
  /** Source events the session runs on, in all. */
  events: number;
  /** Events per source batch. */
  batchSize: number;
  breakpoints: DebugBreakpoint[];
  /** The last pause, while not ended. */
  pause?: DebugPause;
  end?: DebugEnd;
  /** Where each source's events came from (recording, pinned, generator); on opening. */
  samples?: Record<string, string>;
}

/** A command route's answer: the pause it stopped at, or the end. */
export type DebugAnswer = { status: 'paused'; pause: DebugPause } | { status: 'ended'; end: DebugEnd };
