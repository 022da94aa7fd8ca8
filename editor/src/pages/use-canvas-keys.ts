/**
 * The canvas's keys beside undo and the clipboard (use-canvas-clipboard.ts): Ctrl/Cmd+A selects
 * every node (not the page's text), Ctrl/Cmd+S saves a version (from a text field too), Ctrl/Cmd+Y
 * redoes, `?` shows the shortcut sheet and Escape closes it. The others do not act while typing.
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
      // Ctrl/Cmd+S saves from a text field too: the browser's "save page" is never what is meant.
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
        e.preventDefault();
        if (editable) save();
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
      } else if (key === 'y') {
        e.preventDefault();
        useDocument.getState().redo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, editable]);
}
