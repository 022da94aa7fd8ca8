/**
 * What a debug session's worker and the server say to each other (docs/debugger.md). The
 * messages the API answers with (pauses, ends, breakpoints) are shared with the editor
 * (@sluice/shared, protocol/debug-protocol.ts); the worker's own are here.
 */
import type { DebugBreakpoint, DebugCommand, DebugEnd, DebugPause, ParamValue, PipelineDocument, WatermarkValue } from '@sluice/shared';
import type { RecordedEvent } from '../recording/recorded-event.js';

export type {
  DebugBreakpoint as Breakpoint,
  DebugCommand,
  DebugEnd,
  DebugKeyedState as KeyedNodeState,
  DebugPane as Pane,
  DebugPause,
  DebugStageWatermark as StageWatermark,
  WatermarkValue,
} from '@sluice/shared';

/** Command codes in the shared gate (index 1); index 0 is 1 while a command waits to be read. */
export const COMMAND_CODES: Record<DebugCommand, number> = { step: 1, 'step-batch': 2, 'run-to-hit': 3, continue: 4, stop: 5 };

export const watermarkValue = (w: number): WatermarkValue =>
  w === Number.POSITIVE_INFINITY ? 'end' : w === Number.NEGATIVE_INFINITY ? null : w;

export const MAX_END_OUTPUTS = 1000;

export interface WorkerInit {
  document: PipelineDocument;
  params: Record<string, ParamValue>;
  events: Record<string, readonly RecordedEvent[]>;
  baseDir: string;
  breakpoints: DebugBreakpoint[];
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
