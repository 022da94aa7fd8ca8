/**
 * Which canvas popup is open (the right-click menu of a node, an edge, a note or group, the
 * canvas, the "add node here" search, the keyboard connection list) and what the canvas last
 * announced to screen readers.
 */
import type { XYPosition } from '@xyflow/react';
import { create } from 'zustand';

export type Popup =
  | { kind: 'node'; nodeId: string }
  | { kind: 'edge'; edgeId: string }
  | { kind: 'breakpoint'; edgeId: string }
  | { kind: 'annotation'; flowId: string }
  | { kind: 'pane' }
  | { kind: 'add-node' }
  | { kind: 'connect'; nodeId: string; port: string; side: 'source' | 'target' };

export interface PopupState {
  popup: (Popup & { at: XYPosition; flowAt: XYPosition }) | undefined;
  /** Where the focus goes back when the popup closes by Escape or a choice. */
  returnFocus: HTMLElement | null;
  announcement: string;
  open(popup: Popup, at: XYPosition, flowAt: XYPosition): void;
  close(restoreFocus: boolean): void;
  announce(text: string): void;
}

export const usePopup = create<PopupState>()((set, get) => ({
  popup: undefined,
  returnFocus: null,
  announcement: '',
  open: (popup, at, flowAt) => {
    const active = document.activeElement;
    // A popup replacing another keeps the first one's way back.
    const back = get().popup ? get().returnFocus : active instanceof HTMLElement ? active : null;
    set({ popup: { ...popup, at, flowAt }, returnFocus: back });
  },
  close: (restoreFocus) => {
    const back = get().returnFocus;
    set({ popup: undefined, returnFocus: null });
    if (restoreFocus && back?.isConnected) back.focus();
  },
  announce: (text) => set({ announcement: text }),
}));
