/** The stream debugger's API (docs/debugger.md) as the editor calls it; shapes mirror engine/src/debugger/debug-protocol.ts. */
import type { PipelineDocument } from '@sluice/shared';
import { call } from './client';

export type DebugCommand = 'step' | 'step-batch' | 'run-to-hit' | 'continue';
/** null before the first watermark, "end" at the end of input. */
export type WatermarkValue = number | null | 'end';

export interface DebugBreakpoint {
  id?: string;
  edge: string;
  condition?: string;
}

export interface DebugPane {
  start: number;
  end: number;
  count: number;
  aggregates: Record<string, unknown>;
}

export type DebugKeyedState =
  | { node: string; type: 'window'; keyBy: string[]; key: Record<string, unknown>; panes: DebugPane[] }
  | { node: string; type: 'rules'; row: number; rowConfig: unknown; outputs: Record<string, unknown> };

export interface DebugPause {
  seq: number;
  reason: 'breakpoint' | 'step' | 'step-batch';
  breakpoint?: string;
  edge: { id: string; source: string; sourcePort: string; target: string; targetPort: string };
  index: number;
  batchSize: number;
  event: Record<string, unknown>;
  eventTime: number | null;
  sourceWatermark?: number;
  watermarks: { stage: number; nodes: string[]; watermark: WatermarkValue }[];
  state?: DebugKeyedState;
  progress: { sourceBatches: number; sourceEvents: number; crossings: number };
  hits: Record<string, { hits: number; conditionErrors: number }>;
}

export interface DebugEnd {
  status: string;
  error?: string;
  errors: Record<string, number>;
  outputs: Record<string, { count: number; events: Record<string, unknown>[] }>;
  progress: DebugPause['progress'];
  hits: DebugPause['hits'];
  reason?: 'stopped' | 'expired' | 'failed';
}

export interface DebugSessionView {
  id: string;
  status: 'ready' | 'running' | 'paused' | 'ended';
  /** Source events the session runs on, in all. */
  events: number;
  breakpoints: { id: string; edge: string; condition?: string }[];
  /** Where each source's events came from (recording, pinned, generator). */
  samples?: Record<string, string>;
}

export type DebugAnswer = { status: 'paused'; pause: DebugPause } | { status: 'ended'; end: DebugEnd };

const enc = encodeURIComponent;

export const debugApi = {
  open: (pipelineId: string, body: { document: PipelineDocument; breakpoints: DebugBreakpoint[]; sample?: 'recording' | 'pinned' }) =>
    call<DebugSessionView>('POST', `/api/pipelines/${enc(pipelineId)}/debug`, body),
  command: (session: string, command: DebugCommand) => call<DebugAnswer>('POST', `/api/debug/${enc(session)}/${command}`),
  end: (session: string) => call<DebugSessionView>('DELETE', `/api/debug/${enc(session)}`),
};
