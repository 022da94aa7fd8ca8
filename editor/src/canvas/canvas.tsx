/**
 * The canvas: React Flow nodes and edges derived from the document store. A drag lives in this
 * component's state until the drop, which commits every moved node to the document as one step:
 * a drag step re-renders the canvas and the moved node only, never the page, the panels or the
 * validation. Live numbers are drawn by each node and edge from the metrics store.
 */
import {
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  MiniMap,
  type NodeChange,
  ReactFlow,
  type ReactFlowInstance,
  useReactFlow,
  type XYPosition,
} from '@xyflow/react';
import { type DragEvent, memo, type PointerEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EdgeSpec } from '@sluice/shared';
import { GROUP_PREFIX, isAnnotationFlowId, memberMoves, NOTE_PREFIX } from '../stores/annotations';
import { useDocument } from '../stores/document-store';
import { useUi } from '../stores/ui-store';
import { useResolvedTheme } from '../theme/theme';
import { annotationNodes, type FrameNode, type NoteNode } from './annotation-nodes';
import { GroupFrame, StickyNote } from './annotation-views';
import { CanvasPopups } from './canvas-popups';
import { usePopup } from './popup-store';
import { useCanvasMenus } from './use-canvas-menu-keys';
import { type FlowNode, type FlowNodeCache, flowNodes } from './flow-nodes';
import { MetricEdge, type MetricEdgeData } from './metric-edge';
import { countRender } from './render-count';
import { SluiceNode } from './sluice-node';
import { useMeasureNewNodes } from './use-measure-new-nodes';

// Module scope: React Flow re-creates nothing per render.
const NODE_TYPES = { sluice: SluiceNode, note: StickyNote, groupFrame: GroupFrame };
/** Everything the canvas draws as a React Flow node: pipeline nodes, notes and group frames. */
type CanvasNode = FlowNode | NoteNode | FrameNode;
const NO_SIZES: ReadonlyMap<string, { width: number; height: number }> = new Map();
const EDGE_TYPES = { metric: MetricEdge };
// includeHiddenNodes: fit nodes never drawn too (a big graph's out of view), by their estimated size.
const FIT_VIEW_OPTIONS = { maxZoom: 1, includeHiddenNodes: true };
const DELETE_KEYS = ['Backspace', 'Delete'];
/** Shift+click adds to the selection (as docs/editor.md says), as do Ctrl+click and Cmd+click. */
const MULTI_SELECT_KEYS = ['Shift', 'Control', 'Meta'];
/** Px either side of an edge that still select it (React Flow's default, 20 in all, misses short edges). */
const EDGE_HIT_WIDTH = 30;
const NO_DRAG: ReadonlyMap<string, XYPosition> = new Map();
/**
 * Big graphs mount only the nodes and edges in view: each mounted one costs the browser work on
 * every frame (layers, paint), and at the smallest zoom a 300-node graph is wider than the view.
 */
const VISIBLE_ONLY_ABOVE = 100;
/** Dashes moving along every flowing edge repaint the canvas each frame: only small graphs get them. */
const ANIMATE_UP_TO = 50;

/** Edge objects kept while their spec and selection are, so React Flow re-renders only what changed. */
function useFlowEdges(specs: readonly EdgeSpec[], selectedEdge: string | undefined): Edge<MetricEdgeData>[] {
  const cache = useRef(new Map<string, { spec: EdgeSpec; edge: Edge<MetricEdgeData> }>());
  return useMemo(() => {
    const next = new Map<string, { spec: EdgeSpec; edge: Edge<MetricEdgeData> }>();
    const animate = specs.length <= ANIMATE_UP_TO;
    const edges = specs.map((spec) => {
      const selected = spec.id === selectedEdge;
      const hit = cache.current.get(spec.id);
      const edge =
        hit && hit.spec === spec && hit.edge.selected === selected && hit.edge.data?.animate === animate
          ? hit.edge
          : {
              id: spec.id,
              type: 'metric',
              source: spec.source,
              target: spec.target,
              sourceHandle: spec.sourcePort ?? 'out',
              targetHandle: spec.targetPort ?? 'in',
              selected,
              interactionWidth: EDGE_HIT_WIDTH,
              data: { animate },
            };
      next.set(spec.id, { spec, edge });
      return edge;
    });
    cache.current = next;
    return edges;
  }, [specs, selectedEdge]);
}

/** Memoized: the page re-rendering (a message, the status, the validation) leaves the canvas alone. */
export const Canvas = memo(function Canvas({ invalidNodes }: { invalidNodes: Set<string> }) {
  countRender('canvas');
  const specs = useDocument((s) => s.doc.nodes);
  const edgeSpecs = useDocument((s) => s.doc.edges);
  const readOnly = useDocument((s) => s.readOnly);
  const loads = useDocument((s) => s.loads);
  const selection = useUi((s) => s.selection);
  const selectedEdge = useUi((s) => s.selectedEdge);
  const noteSpecs = useDocument((s) => s.doc.notes);
  const groupSpecs = useDocument((s) => s.doc.groups);
  const selectedAnnotation = useUi((s) => s.selectedAnnotation);
  const [dragging, setDragging] = useState(NO_DRAG);
  const colorMode = useResolvedTheme();
  // Note sizes while a corner is dragged; the document takes the size at the end (one step).
  const [resizing, setResizing] = useState(NO_SIZES);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new notes list (the resize committed, or undone) ends the live sizes
  useEffect(() => setResizing(NO_SIZES), [noteSpecs]);
  const flow = useRef<ReactFlowInstance<CanvasNode, Edge<MetricEdgeData>> | null>(null);
  const container = useRef<HTMLDivElement>(null);
  const menus = useCanvasMenus(container);
  const announcement = usePopup((s) => s.announcement);

  const selected = useMemo(() => new Set(selection), [selection]);
  const cache = useRef<FlowNodeCache>(new Map());
  // Sizes React Flow measured. The node objects carry them: the minimap draws a node from its
  // object's size only, so the first size of an object without one makes a new object, once.
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const [sizesSeen, setSizesSeen] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: sizesSeen says the sizes in `measured` changed
  const { nodes, changed } = useMemo(() => {
    const r = flowNodes(cache.current, specs, selected, invalidNodes, dragging, measured.current, specs.length > VISIBLE_ONLY_ABOVE);
    cache.current = r.cache;
    return r;
  }, [specs, selected, invalidNodes, dragging, sizesSeen]);
  useMeasureNewNodes(changed);
  // biome-ignore lint/correctness/useExhaustiveDependencies: sizesSeen says the sizes in `measured` changed
  const annotations = useMemo(
    () =>
      annotationNodes({
        notes: noteSpecs,
        groups: groupSpecs,
        specs,
        dragging,
        measured: measured.current,
        selected: selectedAnnotation,
        resizing,
      }),
    [noteSpecs, groupSpecs, specs, dragging, selectedAnnotation, resizing, sizesSeen],
  );
  // Where each frame stood before a drag: a frame drag moves its nodes by the distance from there.
  const frameOrigins = useRef(annotations.origins);
  frameOrigins.current = annotations.origins;
  const allNodes = useMemo<CanvasNode[]>(
    () => (annotations.frames.length + annotations.notes.length === 0 ? nodes : [...annotations.frames, ...nodes, ...annotations.notes]),
    [annotations, nodes],
  );
  const edges = useFlowEdges(edgeSpecs, selectedEdge);
  // Each document opened is shown whole: the `fitView` prop fits only the first nodes React Flow
  // gets, which may be the last pipeline's, still in the store while the next one loads.
  const { fitView } = useReactFlow();
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads is the trigger
  useEffect(() => {
    // React Flow queues the fit until the new nodes are measured.
    void fitView(FIT_VIEW_OPTIONS);
  }, [loads, fitView]);

  // A click with Shift, Ctrl or Cmd adds to the selection. React Flow learns of the key from its
  // keydown, which a loaded machine may handle after the click: the click's own flags decide here,
  // so such a click never drops the other selected nodes (it may still toggle the clicked one).
  const modifierClick = useRef<string | null>(null);
  const onPointerDownCapture = (e: PointerEvent) => {
    const nodeId = (e.target as Element).closest?.('.react-flow__node')?.getAttribute('data-id') ?? '';
    modifierClick.current = e.shiftKey || e.ctrlKey || e.metaKey ? nodeId : null;
  };
  const onKeyDownCapture = () => {
    modifierClick.current = null;
  };
  const onNodesChange = useCallback((changes: NodeChange<CanvasNode>[]) => {
    const moving = new Map<string, XYPosition>();
    const dropped: Record<string, XYPosition> = {};
    const sel = new Set(useUi.getState().selection);
    let selectionChanged = false;
    let annotationSelected: string | undefined | null = null;
    let sized = false;
    const sizing = new Map<string, { width: number; height: number }>();
    for (const c of changes) {
      if (c.type === 'position' && c.position) {
        if (c.dragging) moving.set(c.id, c.position);
        else dropped[c.id] = c.position;
      }
      if (c.type === 'dimensions' && c.dimensions) {
        if (isAnnotationFlowId(c.id)) {
          if (c.id.startsWith(NOTE_PREFIX) && c.resizing) sizing.set(c.id, c.dimensions);
          continue;
        }
        measured.current.set(c.id, c.dimensions);
        // A re-render only for a node whose object has no size yet (not when live numbers make a node grow).
        if (cache.current.get(c.id)?.node.measured === undefined) sized = true;
      }
      if (c.type === 'select') {
        if (isAnnotationFlowId(c.id)) {
          if (c.selected) annotationSelected = c.id;
          else if (annotationSelected === null && useUi.getState().selectedAnnotation === c.id) annotationSelected = undefined;
          continue;
        }
        if (!c.selected && modifierClick.current !== null && modifierClick.current !== c.id && sel.has(c.id)) continue;
        selectionChanged = true;
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
    }
    // A frame dragged carries its nodes along (those React Flow moves itself keep their move).
    const doc = useDocument.getState().doc;
    for (const [id, p] of moving) {
      if (!id.startsWith(GROUP_PREFIX)) continue;
      const group = doc.groups?.find((g) => `${GROUP_PREFIX}${g.id}` === id);
      const from = frameOrigins.current.get(id);
      if (!group || !from) continue;
      const members = memberMoves(doc, group, { x: p.x - from.x, y: p.y - from.y }, Object.fromEntries(moving));
      for (const [m, at] of Object.entries(members)) moving.set(m, at);
    }
    if (moving.size > 0) setDragging((prev) => new Map([...prev, ...moving]));
    if (sizing.size > 0) setResizing((prev) => new Map([...prev, ...sizing]));
    if (Object.keys(dropped).length > 0) {
      // The drop: the document takes the positions (one undo step) and the drag state goes, in one render.
      useDocument.getState().moveItems(dropped, frameOrigins.current);
      setDragging(NO_DRAG);
    }
    if (selectionChanged) useUi.getState().setSelection([...sel]);
    if (annotationSelected !== null) useUi.getState().selectAnnotation(annotationSelected);
    if (sized) setSizesSeen((n) => n + 1);
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange<Edge<MetricEdgeData>>[]) => {
    for (const c of changes) if (c.type === 'select' && c.selected) useUi.getState().select(undefined, c.id);
  }, []);
  // React Flow reports a delete as edge removals, then node removals: taken here whole, it is one undo step.
  const onDelete = useCallback(({ nodes, edges }: { nodes: CanvasNode[]; edges: Edge<MetricEdgeData>[] }) => {
    const ids = nodes.map((n) => n.id);
    useDocument.getState().remove(
      ids.filter((id) => !isAnnotationFlowId(id)),
      edges.map((e) => e.id),
      // A deleted frame ungroups: its nodes stay.
      ids.filter(isAnnotationFlowId).map((id) => id.slice(id.indexOf(':') + 1)),
    );
    useUi.getState().select(undefined);
  }, []);
  const onConnect = useCallback((c: Connection) => {
    const reason = useDocument.getState().connect({
      source: c.source,
      target: c.target,
      ...(c.sourceHandle && c.sourceHandle !== 'out' ? { sourcePort: c.sourceHandle } : {}),
      ...(c.targetHandle && c.targetHandle !== 'in' ? { targetPort: c.targetHandle } : {}),
    });
    if (reason) useUi.getState().say(`Cannot connect: ${reason}`, 'error');
  }, []);
  const onInit = useCallback((i: ReactFlowInstance<CanvasNode, Edge<MetricEdgeData>>) => {
    flow.current = i;
  }, []);
  const onPaneClick = useCallback(() => useUi.getState().select(undefined), []);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData('application/x-sluice-node');
    if (!type || !flow.current) return;
    const position = flow.current.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    const id = useDocument.getState().addNode(type, position);
    useUi.getState().select(id);
  };

  return (
    <div
      ref={container}
      onKeyDown={menus.onKeyDown}
      onKeyDownCapture={onKeyDownCapture}
      onPointerDownCapture={onPointerDownCapture}
      className="canvas"
      // Focusable, so a click on the pane gives the canvas the keyboard (Ctrl+A selects nodes, not text).
      tabIndex={-1}
      role="application"
      aria-label="Pipeline canvas"
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
      data-testid="canvas"
    >
      <ReactFlow
        nodes={allNodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        onInit={onInit}
        onPaneClick={onPaneClick}
        onNodeContextMenu={menus.onNodeContextMenu}
        onEdgeContextMenu={menus.onEdgeContextMenu}
        onPaneContextMenu={menus.onPaneContextMenu}
        deleteKeyCode={readOnly ? null : DELETE_KEYS}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        edgesReconnectable={false}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        onlyRenderVisibleElements={nodes.length > VISIBLE_ONLY_ABOVE}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        colorMode={colorMode}
      >
        <Background />
        {specs.length === 0 && !readOnly ? (
          <div className="canvas-empty" data-testid="canvas-empty">
            <strong>An empty pipeline.</strong> Drag a node from the palette onto the canvas, or click one to add it; connect an output
            (right) to an input (left). Start with a source such as Generator. Press ? for the keyboard shortcuts.
          </div>
        ) : null}
        <MiniMap pannable zoomable />
        <Controls fitViewOptions={FIT_VIEW_OPTIONS} />
      </ReactFlow>
      <CanvasPopups />
      <div className="sr-only" role="status" aria-live="polite" data-testid="canvas-announcer">
        {announcement}
      </div>
    </div>
  );
});
