/** The pinned sample events of the open pipeline's sources (docs/pinned-samples.md), for the source panel and completions. */
import { create } from 'zustand';
import { api } from '../api/client';

export interface PinnedState {
  pipelineId: string | undefined;
  /** Pinned events by source node id. */
  pinned: Record<string, Record<string, unknown>[]>;
  load(pipelineId: string | undefined): Promise<void>;
  set(nodeId: string, events: Record<string, unknown>[] | undefined): void;
}

export const usePinned = create<PinnedState>()((set, get) => ({
  pipelineId: undefined,
  pinned: {},
  async load(pipelineId) {
    set({ pipelineId, pinned: {} });
    if (!pipelineId) return;
    try {
      const r = await api.pinned(pipelineId);
      // Another pipeline opened meanwhile: not its samples.
      if (get().pipelineId !== pipelineId) return;
      set({ pinned: Object.fromEntries(Object.entries(r.sources).map(([k, v]) => [k, v.events])) });
    } catch {
      // A viewer of an old server, or no such pipeline yet: no samples.
    }
  },
  set(nodeId, events) {
    const pinned = { ...get().pinned };
    if (events) pinned[nodeId] = events;
    else delete pinned[nodeId];
    set({ pinned });
  },
}));
