/**
 * Opening the canvas's menus from the mouse (right-click) and the keyboard (Shift+F10 or the
 * ContextMenu key on the focused node, edge, note, frame or the canvas), and the annotation keys:
 * N adds a note in the middle of the view, Ctrl+G groups the selected nodes.
 */
import { type Edge, type Node, useReactFlow } from '@xyflow/react';
import { type KeyboardEvent, type MouseEvent, useCallback, useEffect, useRef } from 'react';
import { isTyping } from '../pages/use-canvas-clipboard';
import { isAnnotationFlowId } from '../stores/annotations';
import { useDocument } from '../stores/document-store';
import { useUi } from '../stores/ui-store';
import { type Popup, usePopup } from './popup-store';

const isMenuKey = (e: { key: string; shiftKey: boolean }) => e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10');

export function useCanvasMenus(container: React.RefObject<HTMLDivElement | null>) {
  const { screenToFlowPosition } = useReactFlow();
  // A menu opened by a key: the browser's own contextmenu event that follows it is not a second request.
  const byKey = useRef(false);
  const openAt = useCallback(
    (popup: Popup, x: number, y: number) => usePopup.getState().open(popup, { x, y }, screenToFlowPosition({ x, y })),
    [screenToFlowPosition],
  );
  const fromMouse = (popup: (e: MouseEvent) => Popup) => (e: MouseEvent) => {
    e.preventDefault();
    if (byKey.current) {
      byKey.current = false;
      return;
    }
    openAt(popup(e), e.clientX, e.clientY);
  };
  const handlers = {
    onNodeContextMenu: (e: MouseEvent, node: Node) =>
      fromMouse(() => (isAnnotationFlowId(node.id) ? { kind: 'annotation', flowId: node.id } : { kind: 'node', nodeId: node.id }))(e),
    onEdgeContextMenu: (e: MouseEvent, edge: Edge) => fromMouse(() => ({ kind: 'edge', edgeId: edge.id }))(e),
    onPaneContextMenu: (e: MouseEvent | globalThis.MouseEvent) => fromMouse(() => ({ kind: 'pane' }))(e as MouseEvent),
    onKeyDown: (e: KeyboardEvent) => {
      if (!isMenuKey(e) || isTyping(e.target)) return;
      e.preventDefault();
      byKey.current = true;
      const target = e.target as HTMLElement;
      const node = target.closest<HTMLElement>('.react-flow__node');
      const edge = target.closest<HTMLElement>('.react-flow__edge');
      const el = node ?? edge ?? container.current;
      if (!el) return;
      const box = el.getBoundingClientRect();
      const id = (node ?? edge)?.dataset.id;
      const popup: Popup =
        node && id
          ? isAnnotationFlowId(id)
            ? { kind: 'annotation', flowId: id }
            : { kind: 'node', nodeId: id }
          : edge && id
            ? { kind: 'edge', edgeId: id }
            : { kind: 'pane' };
      // Under a node; in the middle of an edge or of the canvas.
      openAt(popup, box.left + (node ? 8 : box.width / 2), node ? box.bottom + 4 : box.top + box.height / 2);
    },
  };
  // A press of the mouse starts afresh: the next contextmenu event is the mouse's own.
  useEffect(() => {
    const reset = () => {
      byKey.current = false;
    };
    window.addEventListener('pointerdown', reset, true);
    return () => window.removeEventListener('pointerdown', reset, true);
  }, []);

  // N and Ctrl+G anywhere outside a text field (the canvas need not have the focus).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (isTyping(e.target) || e.altKey || useDocument.getState().readOnly || usePopup.getState().popup) return;
      if (useUi.getState().shortcutsOpen) return;
      const box = container.current?.getBoundingClientRect();
      if (!box) return;
      if (e.key.toLowerCase() === 'n' && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        const at = screenToFlowPosition({ x: box.left + box.width / 2 - 100, y: box.top + box.height / 2 - 60 });
        const id = useDocument.getState().addNote(at);
        useUi.getState().requestFocus(`note:${id}`);
      } else if (e.key.toLowerCase() === 'g' && (e.ctrlKey || e.metaKey) && !e.shiftKey) {
        e.preventDefault();
        const id = useDocument.getState().groupNodes(useUi.getState().selection);
        if (id) useUi.getState().requestFocus(`group:${id}`);
        else useUi.getState().say('Select the nodes to group first');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [container, screenToFlowPosition]);
  return handlers;
}
