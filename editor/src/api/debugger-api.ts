/** The stream debugger's API (docs/debugger.md) as the editor calls it; the shapes are @sluice/shared's (protocol/debug-protocol.ts). */
import type { DebugAnswer, DebugBreakpoint, DebugSessionView, DebugStepCommand, PipelineDocument } from '@sluice/shared';
import { call } from './client';

/** A breakpoint as sent: the server names one without an id itself. */
export type BreakpointRequest = Omit<DebugBreakpoint, 'id'> & { id?: string };

const enc = encodeURIComponent;

export const debugApi = {
  open: (pipelineId: string, body: { document: PipelineDocument; breakpoints: BreakpointRequest[]; sample?: 'recording' | 'pinned' }) =>
    call<DebugSessionView>('POST', `/api/pipelines/${enc(pipelineId)}/debug`, body),
  command: (session: string, command: DebugStepCommand) => call<DebugAnswer>('POST', `/api/debug/${enc(session)}/${command}`),
  end: (session: string) => call<DebugSessionView>('DELETE', `/api/debug/${enc(session)}`),
};
