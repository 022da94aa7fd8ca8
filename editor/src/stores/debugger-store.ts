/**
 * The stream debugger in the editor (docs/debugger.md): the breakpoints set on edges (kept here,
 * per pipeline, not in the document: they are a way of looking, not part of the pipeline), and
 * the open session with its last pause or its end. One command at a time: the server refuses a
 * second while one runs, so the buttons wait.
 */
import type { PipelineDocument } from '@sluice/shared';
import { create } from 'zustand';
import type { DebugEnd, DebugPause, DebugSessionView, DebugStepCommand } from '@sluice/shared';
import { debugApi } from '../api/debugger-api';

export interface DebuggerState {
  /** Breakpoints by edge id: the condition ('' = every event). */
  breakpoints: Record<string, string>;
  session: DebugSessionView | undefined;
  pause: DebugPause | undefined;
  end: DebugEnd | undefined;
  busy: boolean;
  error: string | undefined;
  setBreakpoint(edgeId: string, condition: string): void;
  removeBreakpoint(edgeId: string): void;
  start(pipelineId: string, document: PipelineDocument, sample: 'recording' | 'pinned'): Promise<void>;
  command(command: DebugStepCommand): Promise<void>;
  stop(): Promise<void>;
  /** The pipeline the breakpoints are of (undefined: a new, unsaved one). */
  pipelineId: string | undefined;
  /**
   * The editor shows a pipeline: any session ends; the breakpoints of another pipeline go (a new
   * pipeline's first save keeps them: it is the same graph).
   */
  showing(pipelineId: string | undefined): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const useDebugger = create<DebuggerState>()((set, get) => ({
  breakpoints: {},
  session: undefined,
  pause: undefined,
  end: undefined,
  busy: false,
  error: undefined,
  setBreakpoint: (edgeId, condition) => set({ breakpoints: { ...get().breakpoints, [edgeId]: condition.trim() } }),
  removeBreakpoint: (edgeId) => {
    const { [edgeId]: _gone, ...rest } = get().breakpoints;
    set({ breakpoints: rest });
  },
  async start(pipelineId, document, sample) {
    if (get().busy) return;
    if (get().session) await get().stop();
    // Breakpoints on edges the draft no longer has would be refused: they are left out.
    const edges = new Set(document.edges.map((e) => e.id));
    const breakpoints = Object.entries(get().breakpoints)
      .filter(([edge]) => edges.has(edge))
      .map(([edge, condition]) => ({ id: `bp-${edge}`, edge, ...(condition ? { condition } : {}) }));
    set({ busy: true, error: undefined, pause: undefined, end: undefined });
    try {
      const session = await debugApi.open(pipelineId, { document, breakpoints, sample });
      set({ session, busy: false });
    } catch (err) {
      set({ busy: false, error: message(err) });
    }
  },
  async command(command) {
    const { session, busy, end } = get();
    if (!session || busy || end) return;
    set({ busy: true, error: undefined });
    try {
      const a = await debugApi.command(session.id, command);
      // Stopped meanwhile: the answer is of a session no longer shown.
      if (get().session?.id !== session.id) return;
      if (a.status === 'paused') set({ pause: a.pause, busy: false });
      else set({ pause: undefined, end: a.end, busy: false });
    } catch (err) {
      if (get().session?.id === session.id) set({ busy: false, error: message(err) });
    }
  },
  async stop() {
    const { session } = get();
    set({ session: undefined, pause: undefined, end: undefined, busy: false, error: undefined });
    if (session) await debugApi.end(session.id).catch(() => undefined);
  },
  pipelineId: undefined,
  showing(pipelineId) {
    void get().stop();
    const before = get().pipelineId;
    set({ pipelineId, ...(before !== undefined && before !== pipelineId ? { breakpoints: {} } : {}) });
  },
}));
