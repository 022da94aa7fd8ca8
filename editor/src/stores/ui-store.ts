/** What is selected and shown: separate from the document and the metrics. */
import { create } from 'zustand';
import type { Me } from '../api/client';

export interface UiState {
  /** The node whose panel is open (the last one selected). */
  selectedNode: string | undefined;
  /** Every selected node (shift-click or box selection), for delete and copy. */
  selection: string[];
  selectedEdge: string | undefined;
  /** The selected note or group frame, by React Flow id (`note:ID`, `group:ID`). */
  selectedAnnotation: string | undefined;
  /** A canvas field (a new note's text, a new group's label) that should take the focus once drawn. */
  focusRequest: string | undefined;
  message: { text: string; kind: 'info' | 'error' } | undefined;
  /** Who is signed in (undefined until /api/me answers); authenticated=false is local-only mode. */
  me: Me | undefined;
  /** The palette and the side panel, open or collapsed to a strip (kept across reloads). */
  paletteOpen: boolean;
  panelOpen: boolean;
  /** The keyboard shortcut sheet (`?`). */
  shortcutsOpen: boolean;
  setPanels(p: Partial<Pick<UiState, 'paletteOpen' | 'panelOpen' | 'shortcutsOpen'>>): void;
  select(node: string | undefined, edge?: string): void;
  setSelection(ids: string[]): void;
  selectAnnotation(flowId: string | undefined): void;
  requestFocus(flowId: string | undefined): void;
  say(text: string, kind?: 'info' | 'error'): void;
  clearMessage(): void;
  setMe(me: Me | undefined): void;
}

const PANELS_KEY = 'sluice.panels';

function savedPanels(): { paletteOpen: boolean; panelOpen: boolean } {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(PANELS_KEY) ?? '{}') as Record<string, unknown>;
    return { paletteOpen: v.paletteOpen !== false, panelOpen: v.panelOpen !== false };
  } catch {
    return { paletteOpen: true, panelOpen: true };
  }
}

export const useUi = create<UiState>()((set, get) => ({
  selectedNode: undefined,
  selection: [],
  selectedEdge: undefined,
  selectedAnnotation: undefined,
  focusRequest: undefined,
  message: undefined,
  me: undefined,
  ...savedPanels(),
  shortcutsOpen: false,
  setPanels: (p) => {
    set(p);
    const { paletteOpen, panelOpen } = get();
    try {
      globalThis.localStorage?.setItem(PANELS_KEY, JSON.stringify({ paletteOpen, panelOpen }));
    } catch {
      // Storage refused (private mode): the choice lasts for this page.
    }
  },
  select: (node, edge) => set({ selectedNode: node, selectedEdge: edge, selection: node ? [node] : [], selectedAnnotation: undefined }),
  setSelection: (ids) =>
    set({
      selection: ids,
      selectedNode: ids[ids.length - 1],
      selectedEdge: undefined,
      ...(ids.length > 0 ? { selectedAnnotation: undefined } : {}),
    }),
  selectAnnotation: (flowId) =>
    set(
      flowId
        ? { selectedAnnotation: flowId, selectedNode: undefined, selectedEdge: undefined, selection: [] }
        : { selectedAnnotation: undefined },
    ),
  requestFocus: (flowId) => set({ focusRequest: flowId }),
  say: (text, kind = 'info') => set({ message: { text, kind } }),
  clearMessage: () => set({ message: undefined }),
  setMe: (me) => set({ me }),
}));
