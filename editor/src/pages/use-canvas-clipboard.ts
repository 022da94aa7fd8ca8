import { useEffect } from 'react';
import { type Clipboard, useDocument } from '../stores/document-store';
import { useUi } from '../stores/ui-store';
import { looksLikeDocument, NODES_CLIP } from './import-document';

export const isTyping = (t: EventTarget | null) => {
  const el = t as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
};

/** The nodes last copied in this tab (Ctrl+C or the canvas menu's Paste reads them). */
let clipboard: Clipboard | undefined;
export const copiedNodes = (): Clipboard | undefined => clipboard;

/**
 * The canvas's keys outside text fields: undo/redo, copy and paste nodes (also through the
 * system clipboard, between tabs); a pasted document is handed to `importText`, asking first.
 */
export function useCanvasClipboard(importText: (text: string, ask: boolean) => void): void {
  useEffect(() => {
    let pendingPaste = false;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      const docs = useDocument.getState();
      if (key === 'z') {
        e.preventDefault();
        if (e.shiftKey) docs.redo();
        else docs.undo();
      } else if (key === 'c' && useUi.getState().selection.length > 0) {
        clipboard = docs.copy(useUi.getState().selection);
      } else if (key === 'v' && clipboard) {
        // The paste event (next, in the same task) decides; without one, paste the copied nodes.
        pendingPaste = true;
        const clip = clipboard;
        setTimeout(() => {
          if (pendingPaste) useUi.getState().setSelection(useDocument.getState().paste(clip));
          pendingPaste = false;
        }, 0);
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      const sel = useUi.getState().selection;
      if (isTyping(e.target) || sel.length === 0 || !window.getSelection()?.isCollapsed) return;
      clipboard = useDocument.getState().copy(sel);
      e.clipboardData?.setData('text/plain', JSON.stringify({ [NODES_CLIP]: clipboard }));
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e.target)) return;
      pendingPaste = false;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      if (looksLikeDocument(text)) {
        e.preventDefault();
        importText(text, true);
        return;
      }
      let clip = clipboard;
      try {
        const parsed = JSON.parse(text) as Record<string, Clipboard | undefined>;
        if (parsed?.[NODES_CLIP]?.nodes) clip = parsed[NODES_CLIP];
      } catch {
        // Not copied nodes: the last copy in this tab, if any.
      }
      if (clip) {
        e.preventDefault();
        useUi.getState().setSelection(useDocument.getState().paste(clip));
      }
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('copy', onCopy);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('copy', onCopy);
      window.removeEventListener('paste', onPaste);
    };
  }, [importText]);
}
