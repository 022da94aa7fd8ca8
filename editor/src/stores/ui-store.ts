/** What is selected and shown: separate from the document and the metrics. */
import { create } from 'zustand';

export interface UiState {
  selectedNode: string | undefined;
  selectedEdge: string | undefined;
  message: { text: string; kind: 'info' | 'error' } | undefined;
  select(node: string | undefined, edge?: string): void;
  say(text: string, kind?: 'info' | 'error'): void;
}

export const useUi = create<UiState>()((set) => ({
  selectedNode: undefined,
  selectedEdge: undefined,
  message: undefined,
  select: (node, edge) => set({ selectedNode: node, selectedEdge: edge }),
  say: (text, kind = 'info') => set({ message: { text, kind } }),
}));
