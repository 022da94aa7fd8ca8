/** The canvas: nodes and edges derived from the document store; metrics drawn by each node. */
import {
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  MiniMap,
  type Node,
  type NodeChange,
  ReactFlow,
  type ReactFlowInstance,
} from '@xyflow/react';
import { type DragEvent, useMemo, useRef } from 'react';
import type { NodeSpec } from '@sluice/shared';
import { useDocument } from '../stores/document-store';
import { useMetrics } from '../stores/metrics-store';
import { useUi } from '../stores/ui-store';
import { SluiceNode, type SluiceNodeData } from './sluice-node';

// Module scope: React Flow re-creates nothing per render.
const NODE_TYPES = { sluice: SluiceNode };

export function Canvas({ invalidNodes }: { invalidNodes: Set<string> }) {
  const doc = useDocument((s) => s.doc);
  const readOnly = useDocument((s) => s.readOnly);
  const selection = useUi((s) => s.selection);
  const selectedEdge = useUi((s) => s.selectedEdge);
  const edgeCounts = useMetrics((s) => s.latest?.edges);
  const stages = useMetrics((s) => s.latest?.stages);
  const flow = useRef<ReactFlowInstance<Node<SluiceNodeData>, Edge> | null>(null);

  // Keep each React Flow node object as long as its document node and flags are unchanged, so a
  // drag (which replaces one node) re-renders one node, not all of them.
  const cache = useRef(new Map<string, { spec: NodeSpec; selected: boolean; invalid: boolean; rf: Node<SluiceNodeData> }>());
  const nodes = useMemo<Node<SluiceNodeData>[]>(() => {
    const next = new Map<string, { spec: NodeSpec; selected: boolean; invalid: boolean; rf: Node<SluiceNodeData> }>();
    const out = doc.nodes.map((n, i) => {
      const isSelected = selection.includes(n.id);
      const invalid = invalidNodes.has(n.id);
      const hit = cache.current.get(n.id);
      const rf =
        hit && hit.spec === n && hit.selected === isSelected && hit.invalid === invalid
          ? hit.rf
          : {
              id: n.id,
              type: 'sluice',
              position: n.position ?? { x: 80 + 240 * i, y: 120 },
              selected: isSelected,
              data: { type: n.type, label: n.label ?? n.id, config: n.config, invalid },
            };
      next.set(n.id, { spec: n, selected: isSelected, invalid, rf });
      return rf;
    });
    cache.current = next;
    return out;
  }, [doc.nodes, selection, invalidNodes]);
  const edges = useMemo<Edge[]>(
    () =>
      doc.edges.map((e) => {
        const events = edgeCounts?.[e.id]?.events ?? 0;
        // Backpressure: batches waiting in front of the target's stage colour the edge.
        const backlog = stages ? Object.values(stages).find((st) => st.nodes.includes(e.target) && !st.nodes.includes(e.source))?.backlog ?? 0 : 0;
        const color = backlog > 40 ? '#dc2626' : backlog > 10 ? '#d97706' : undefined;
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          sourceHandle: e.sourcePort ?? 'out',
          targetHandle: e.targetPort ?? 'in',
          selected: e.id === selectedEdge,
          animated: events > 0,
          label: events > 0 ? String(events) : undefined,
          style: { strokeWidth: events > 0 ? Math.min(6, 1 + Math.log10(events + 1)) : 1.5, ...(color ? { stroke: color } : {}) },
          ...(backlog > 10 ? { label: `${events} · backlog ${backlog}` } : {}),
        };
      }),
    [doc.edges, selectedEdge, edgeCounts, stages],
  );

  const onNodesChange = (changes: NodeChange<Node<SluiceNodeData>>[]) => {
    const { moveNode, remove } = useDocument.getState();
    const sel = new Set(useUi.getState().selection);
    let selectionChanged = false;
    for (const c of changes) {
      if (c.type === 'position' && c.position) moveNode(c.id, c.position, !c.dragging);
      if (c.type === 'select') {
        selectionChanged = true;
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
    }
    if (selectionChanged) useUi.getState().setSelection([...sel]);
    const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
    if (removed.length > 0) remove(removed, []);
  };
  const onEdgesChange = (changes: EdgeChange[]) => {
    for (const c of changes) if (c.type === 'select' && c.selected) useUi.getState().select(undefined, c.id);
    const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
    if (removed.length > 0) useDocument.getState().remove([], removed);
  };
  const onConnect = (c: Connection) => {
    const reason = useDocument.getState().connect({
      source: c.source,
      target: c.target,
      ...(c.sourceHandle && c.sourceHandle !== 'out' ? { sourcePort: c.sourceHandle } : {}),
      ...(c.targetHandle && c.targetHandle !== 'in' ? { targetPort: c.targetHandle } : {}),
    });
    if (reason) useUi.getState().say(`Cannot connect: ${reason}`, 'error');
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData('application/x-sluice-node');
    if (!type || !flow.current) return;
    const position = flow.current.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    const id = useDocument.getState().addNode(type, position);
    useUi.getState().select(id);
  };

  return (
    <div className="canvas" role="application" aria-label="Pipeline canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onInit={(i) => {
          flow.current = i;
        }}
        onPaneClick={() => useUi.getState().select(undefined)}
        deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
      >
        <Background />
        <MiniMap pannable zoomable />
        <Controls />
      </ReactFlow>
    </div>
  );
}
