/**
 * The stream debugger in the editor (docs/debugger.md): the breakpoints set on edges (per user
 * and pipeline, kept in this browser by breakpoint-storage.ts, not in the document: they are a
 * way of looking, not part of the pipeline), and the open session with its last pause or its
 * end. One command at a time: the server refuses a second while one runs, so the buttons wait.
 */
import type { PipelineDocument } from '@sluice/shared';
import { create } from 'zustand';
import type { DebugEnd, DebugPause, DebugSessionView, DebugStepCommand } from '@sluice/shared';
import { debugApi } from '../api/debugger-api';
import { loadBreakpoints, onOtherTabChange, saveBreakpoints } from './breakpoint-storage';
import { useUi } from './ui-store';

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
  /** Whose breakpoints of which pipeline these are (pipelineId undefined: a new, unsaved one). */
  owner: { user: string; pipelineId: string | undefined } | undefined;
  /**
   * The editor shows a pipeline: any session ends; the breakpoints become the signed-in user's
   * kept for that pipeline (none for a new one).
   */
  showing(pipelineId: string | undefined): void;
  /** A new pipeline's first save: its breakpoints are kept under its id (it is the same graph). */
  savedAs(pipelineId: string): void;
  /** A pipeline's document as loaded: breakpoints on edges it no longer has go, silently. */
  dropStale(pipelineId: string, edgeIds: readonly string[]): void;
}

/** Who the breakpoints belong to: the signed-in user (one browser may serve several). */
const userNow = () => useUi.getState().me?.name ?? 'anonymous';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const useDebugger = create<DebuggerState>()((set, get) => ({
  breakpoints: {},
  session: undefined,
  pause: undefined,
  end: undefined,
  busy: false,
  error: undefined,
  setBreakpoint: (edgeId, condition) => keep({ ...get().breakpoints, [edgeId]: condition.trim() }),
  removeBreakpoint: (edgeId) => {
    const { [edgeId]: _gone, ...rest } = get().breakpoints;
    keep(rest);
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
  owner: undefined,
  showing(pipelineId) {
    void get().stop();
    const user = userNow();
    const before = get().owner;
    if (before?.user === user && before.pipelineId === pipelineId) return;
    set({ owner: { user, pipelineId }, breakpoints: pipelineId === undefined ? {} : loadBreakpoints(user, pipelineId) });
  },
  savedAs(pipelineId) {
    set({ owner: { user: userNow(), pipelineId } });
    keep(get().breakpoints);
  },
  dropStale(pipelineId, edgeIds) {
    const user = userNow();
    const owner = get().owner;
    const shown = owner?.user === user && owner.pipelineId === pipelineId;
    // Loaded before the editor shows it (or shown already): the kept ones are pruned either way.
    const current = shown ? get().breakpoints : loadBreakpoints(user, pipelineId);
    const edges = new Set(edgeIds);
    const live = Object.fromEntries(Object.entries(current).filter(([edge]) => edges.has(edge)));
    if (Object.keys(live).length === Object.keys(current).length) return;
    if (shown) set({ breakpoints: live });
    saveBreakpoints(user, pipelineId, live);
  },
}));

/** The breakpoints now, kept for their pipeline once it has an id. */
function keep(breakpoints: Record<string, string>): void {
  useDebugger.setState({ breakpoints });
  const owner = useDebugger.getState().owner;
  if (owner?.pipelineId !== undefined) saveBreakpoints(owner.user, owner.pipelineId, breakpoints);
}

// Two tabs on one pipeline show the same breakpoints: a change in one is read back in the other.
onOtherTabChange(
  () => useDebugger.getState().owner,
  () => {
    const owner = useDebugger.getState().owner;
    if (owner?.pipelineId !== undefined) useDebugger.setState({ breakpoints: loadBreakpoints(owner.user, owner.pipelineId) });
  },
);
