/** What is selected and shown: separate from the document and the metrics. */
import { create } from 'zustand';
import type { Me } from '../api/client';

export interface UiState {
  /** The node whose panel is open (the last one selected). */
  selectedNode: string | undefined;
  /** Every selected node (shift-click or box selection), for delete and copy. */
  selection: string[];
  selectedEdge: string | undefined;
  message: { text: string; kind: 'info' | 'error' } | undefined;
  /** Who is signed in (undefined until /api/me answers); authenticated=false is local-only mode. */
  me: Me | undefined;
  select(node: string | undefined, edge?: string): void;
  setSelection(ids: string[]): void;
  say(text: string, kind?: 'info' | 'error'): void;
  clearMessage(): void;
  setMe(me: Me | undefined): void;
}

export const useUi = create<UiState>()((set) => ({
  selectedNode: undefined,
  selection: [],
  selectedEdge: undefined,
  message: undefined,
  me: undefined,
  select: (node, edge) => set({ selectedNode: node, selectedEdge: edge, selection: node ? [node] : [] }),
  setSelection: (ids) => set({ selection: ids, selectedNode: ids[ids.length - 1], selectedEdge: undefined }),
  say: (text, kind = 'info') => set({ message: { text, kind } }),
  clearMessage: () => set({ message: undefined }),
  setMe: (me) => set({ me }),
}));
