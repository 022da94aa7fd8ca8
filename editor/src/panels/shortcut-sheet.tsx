/** The keyboard shortcut sheet (`?` on the canvas): every key the canvas answers. */
import { useEffect, useRef } from 'react';
import { useUi } from '../stores/ui-store';

export const SHORTCUTS: [keys: string, what: string][] = [
  ['Tab / Shift+Tab', 'Move between the toolbar, the nodes and the panels'],
  ['Enter (on a palette item)', 'Add that node'],
  ['Click, Shift+click, Ctrl+click', 'Select a node; add one to the selection'],
  ['Shift+drag on the canvas', 'Select the nodes in a box'],
  ['Ctrl+A', 'Select every node'],
  ['Delete or Backspace', 'Delete the selected nodes and edges'],
  ['Ctrl+C, Ctrl+V', 'Copy and paste the selected nodes with the edges between them'],
  ['Ctrl+Z', 'Undo'],
  ['Ctrl+Y or Ctrl+Shift+Z', 'Redo'],
  ['Ctrl+S', 'Save a version'],
  ['?', 'Show or hide this sheet'],
  ['N', 'Add a sticky note in the middle of the view'],
  ['Ctrl+G', 'Group the selected nodes in a labelled frame'],
  ['Shift+F10 or the ContextMenu key', 'Open the menu of the focused node, edge, note, frame or the canvas'],
  ['Enter or Space (on a port)', 'List the ports it can connect to, and connect one'],
  ['Up, Down, Home, End (in a menu)', 'Move; Enter runs the item, Escape closes the menu'],
  ['Escape', 'Close this sheet'],
];

export function ShortcutSheet() {
  const open = useUi((s) => s.shortcutsOpen);
  return open ? <Sheet /> : null;
}

/** A modal <dialog>: the browser keeps the focus inside and closes it on Escape. */
function Sheet() {
  const ref = useRef<HTMLDialogElement>(null);
  const close = () => useUi.getState().setPanels({ shortcutsOpen: false });
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="sheet" aria-label="Keyboard shortcuts" onClose={close}>
      <h2>Keyboard shortcuts</h2>
      <p className="hint">On a Mac, Cmd for Ctrl.</p>
      <table className="grid-table">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={close}>
        Close
      </button>
    </dialog>
  );
}
