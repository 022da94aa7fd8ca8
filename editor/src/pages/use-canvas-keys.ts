/**
 * The canvas's keys beside undo and the clipboard (use-canvas-clipboard.ts): Ctrl/Cmd+A selects
 * every node (not the page's text), Ctrl/Cmd+S saves a version, Ctrl/Cmd+Y redoes, `?` shows the
 * shortcut sheet and Escape closes it. None of them act while typing in a field.
 */
import { useEffect } from 'react';
import { useDocument } from '../stores/document-store';
import { useUi } from '../stores/ui-store';
import { isTyping } from './use-canvas-clipboard';

export function useCanvasKeys({ save, editable }: { save: () => void; editable: boolean }): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ui = useUi.getState();
      if (e.key === 'Escape' && ui.shortcutsOpen) {
        ui.setPanels({ shortcutsOpen: false });
        return;
      }
      if (isTyping(e.target)) return;
      if (e.key === '?' && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        ui.setPanels({ shortcutsOpen: !ui.shortcutsOpen });
        return;
      }
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === 'a') {
        e.preventDefault();
        ui.setSelection(useDocument.getState().doc.nodes.map((n) => n.id));
      } else if (key === 's') {
        // Also for viewers: the browser's "save page" is never what is meant here.
        e.preventDefault();
        if (editable) save();
      } else if (key === 'y') {
        e.preventDefault();
        useDocument.getState().redo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, editable]);
}
