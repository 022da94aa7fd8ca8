/**
 * The pipeline document being edited: the one source of truth for nodes and edges, with undo
 * and redo. Metrics and UI state live in their own stores so a metrics tick never re-renders
 * the canvas.
 */
import { create } from 'zustand';
import {
  type EdgeSpec,
  type GroupSpec,
  type NodeSpec,
  type NoteSpec,
  type PipelineDocument,
  sourcePortOf,
  targetPortOf,
} from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import * as annotations from './annotations';

export interface DocumentState {
  id: string | undefined;
  doc: PipelineDocument;
  past: PipelineDocument[];
  future: PipelineDocument[];
  dirty: boolean;
  /** How many documents were loaded: the canvas fits its view to each one. */
  loads: number;
  /** Viewers (and business users on the canvas) read only: every edit is refused, nothing changes. */
  readOnly: boolean;
  setReadOnly(readOnly: boolean): void;
  load(id: string | undefined, doc: PipelineDocument): void;
  /** Apply a change as one undoable step. */
  change(fn: (doc: PipelineDocument) => PipelineDocument): void;
  addNode(type: string, position: { x: number; y: number }): string;
  updateNode(id: string, patch: Partial<Pick<NodeSpec, 'label' | 'config'>>): void;
  moveNode(id: string, position: { x: number; y: number }, final: boolean): void;
  /** Where a drag dropped its nodes: one undoable step for all of them. */
  moveNodes(positions: Record<string, { x: number; y: number }>): void;
  /** Nodes (taken out of their groups), edges, and notes or groups by their ids, as one step. */
  remove(nodeIds: string[], edgeIds: string[], annotationIds?: string[]): void;
  /** Drops on the canvas by React Flow id (nodes, notes, group frames with their nodes): one step. */
  moveItems(positions: Record<string, { x: number; y: number }>, frames: ReadonlyMap<string, { x: number; y: number }>): void;
  addNote(position: { x: number; y: number }): string;
  updateNote(id: string, patch: Partial<Omit<NoteSpec, 'id'>>): void;
  /** A new group of these nodes; returns its id (undefined when none of them is a node). */
  groupNodes(nodeIds: string[], label?: string): string | undefined;
  addToGroup(groupId: string, nodeIds: string[]): void;
  updateGroup(id: string, patch: Partial<Pick<GroupSpec, 'label' | 'color'>>): void;
  /** Connect two ports; returns the reason when the connection cannot work. */
  connect(edge: Omit<EdgeSpec, 'id'>): string | undefined;
  undo(): void;
  redo(): void;
  /**
   * The server has stored `saved`. Clean only if nothing changed while the request was out:
   * an edit made during a save must still reach the next autosave.
   */
  markSaved(saved: PipelineDocument): void;
  /** Copy nodes and the edges between them; paste them back with fresh ids, offset. */
  copy(ids: string[]): Clipboard;
  paste(clip: Clipboard): string[];
}

export interface Clipboard {
  nodes: NodeSpec[];
  edges: EdgeSpec[];
}

const EMPTY: PipelineDocument = { format: 'sluice/v1', name: 'Untitled pipeline', nodes: [], edges: [] };
const HISTORY = 100;

export const useDocument = create<DocumentState>()((set, get) => ({
  id: undefined,
  doc: EMPTY,
  past: [],
  future: [],
  dirty: false,
  loads: 0,
  readOnly: false,
  setReadOnly: (readOnly) => set({ readOnly }),
  load: (id, doc) => set((s) => ({ id, doc, past: [], future: [], dirty: false, loads: s.loads + 1 })),
  change: (fn) => {
    const { doc, past, readOnly } = get();
    if (readOnly) return;
    set({ doc: fn(doc), past: [...past.slice(-HISTORY + 1), doc], future: [], dirty: true });
  },
  addNode: (type, position) => {
    if (get().readOnly) return '';
    const def = nodeDefinitions.get(type);
    const base = type.replace(/^.*\./, '').replace(/[^A-Za-z0-9_-]/g, '_');
    const taken = new Set(get().doc.nodes.map((n) => n.id));
    let i = 1;
    while (taken.has(`${base}${i}`)) i++;
    const id = `${base}${i}`;
    const config = exampleConfig(type);
    get().change((d) => ({ ...d, nodes: [...d.nodes, { id, type, label: def?.title ?? type, position, config }] }));
    return id;
  },
  updateNode: (id, patch) => get().change((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === id ? { ...n, ...patch } : n)) })),
  moveNode: (id, position, final) => {
    const apply = (d: PipelineDocument) => ({ ...d, nodes: d.nodes.map((n) => (n.id === id ? { ...n, position } : n)) });
    // Dragging updates in place; the drop is one undoable step.
    if (get().readOnly) return;
    if (final) get().change(apply);
    else set({ doc: apply(get().doc) });
  },
  moveNodes: (positions) => {
    if (get().readOnly) return;
    get().change((d) => ({ ...d, nodes: d.nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id] } : n)) }));
  },
  remove: (nodeIds, edgeIds, annotationIds = []) => {
    if (nodeIds.length === 0 && edgeIds.length === 0 && annotationIds.length === 0) return;
    const gone = new Set(nodeIds);
    get().change((d) =>
      annotations.removeAnnotations(
        annotations.withoutMembers(
          {
            ...d,
            nodes: d.nodes.filter((n) => !gone.has(n.id)),
            edges: d.edges.filter((e) => !edgeIds.includes(e.id) && !gone.has(e.source) && !gone.has(e.target)),
          },
          nodeIds,
        ),
        annotationIds,
      ),
    );
  },
  moveItems: (positions, frames) => {
    if (get().readOnly || Object.keys(positions).length === 0) return;
    get().change((d) => annotations.applyMoves(d, positions, frames));
  },
  addNote: (position) => {
    if (get().readOnly) return '';
    const r = annotations.addNote(get().doc, position);
    get().change(() => r.doc);
    return r.id;
  },
  updateNote: (id, patch) => get().change((d) => annotations.updateNote(d, id, patch)),
  groupNodes: (nodeIds, label) => {
    if (get().readOnly) return undefined;
    const r = annotations.groupNodes(get().doc, nodeIds, label);
    if (r) get().change(() => r.doc);
    return r?.id;
  },
  addToGroup: (groupId, nodeIds) => get().change((d) => annotations.addToGroup(d, groupId, nodeIds)),
  updateGroup: (id, patch) => get().change((d) => annotations.updateGroup(d, id, patch)),
  connect: (edge) => {
    const { doc, readOnly } = get();
    if (readOnly) return 'this pipeline is read-only for you';
    const reason = connectionProblem(doc, edge);
    if (reason) return reason;
    const taken = new Set(doc.edges.map((e) => e.id));
    let i = doc.edges.length + 1;
    while (taken.has(`e${i}`)) i++;
    get().change((d) => ({ ...d, edges: [...d.edges, { ...edge, id: `e${i}` }] }));
    return undefined;
  },
  undo: () => {
    const { past, doc, future, readOnly } = get();
    if (readOnly) return;
    const prev = past[past.length - 1];
    if (prev) set({ doc: prev, past: past.slice(0, -1), future: [doc, ...future], dirty: true });
  },
  redo: () => {
    const { past, doc, future, readOnly } = get();
    if (readOnly) return;
    const next = future[0];
    if (next) set({ doc: next, past: [...past, doc], future: future.slice(1), dirty: true });
  },
  markSaved: (saved) => {
    if (get().doc === saved) set({ dirty: false });
  },
  copy: (ids) => {
    const keep = new Set(ids);
    const { doc } = get();
    return {
      nodes: structuredClone(doc.nodes.filter((n) => keep.has(n.id))),
      edges: structuredClone(doc.edges.filter((e) => keep.has(e.source) && keep.has(e.target))),
    };
  },
  paste: (clip) => {
    if (clip.nodes.length === 0 || get().readOnly) return [];
    const taken = new Set(get().doc.nodes.map((n) => n.id));
    const rename = new Map<string, string>();
    for (const n of clip.nodes) {
      let i = 2;
      let id = `${n.id}_copy`;
      while (taken.has(id)) id = `${n.id}_copy${i++}`;
      taken.add(id);
      rename.set(n.id, id);
    }
    const edgeIds = new Set(get().doc.edges.map((e) => e.id));
    let k = edgeIds.size + 1;
    const nodes = clip.nodes.map((n) => ({
      ...structuredClone(n),
      id: rename.get(n.id)!,
      position: { x: (n.position?.x ?? 0) + 40, y: (n.position?.y ?? 0) + 40 },
    }));
    const edges = clip.edges.map((e) => {
      while (edgeIds.has(`e${k}`)) k++;
      edgeIds.add(`e${k}`);
      return { ...e, id: `e${k}`, source: rename.get(e.source)!, target: rename.get(e.target)! };
    });
    get().change((d) => ({ ...d, nodes: [...d.nodes, ...nodes], edges: [...d.edges, ...edges] }));
    return nodes.map((n) => n.id);
  },
}));

/** Why an edge cannot work: into a source, out of a sink, a cycle, or a duplicate. */
export function connectionProblem(doc: PipelineDocument, e: Omit<EdgeSpec, 'id'>): string | undefined {
  const from = doc.nodes.find((n) => n.id === e.source);
  const to = doc.nodes.find((n) => n.id === e.target);
  if (!from || !to) return 'both ends must be nodes';
  const toDef = nodeDefinitions.get(to.type);
  const fromDef = nodeDefinitions.get(from.type);
  if (toDef && (toDef.category === 'source' || toDef.inputs.length === 0)) return `${to.id} is a source: nothing flows into it`;
  if (fromDef?.category === 'sink') return `${from.id} is a sink: nothing leaves it`;
  if (e.source === e.target) return 'a node cannot feed itself';
  if (
    doc.edges.some(
      (x) =>
        x.source === e.source &&
        x.target === e.target &&
        sourcePortOf(x) === (e.sourcePort ?? 'out') &&
        targetPortOf(x) === (e.targetPort ?? 'in'),
    )
  )
    return 'these ports are connected already';
  // A path target -> ... -> source would close a cycle.
  const stack = [e.target];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (at === e.source) return 'this connection would make a cycle';
    if (seen.has(at)) continue;
    seen.add(at);
    for (const x of doc.edges) if (x.source === at) stack.push(x.target);
  }
  return undefined;
}

/** A new node's config (or a new sink target's): its type's example, as its schema reads it; {} for an unknown type. */
export function exampleConfig(type: string): Record<string, unknown> {
  const def = nodeDefinitions.get(type);
  const parsed = def?.config.safeParse(def.example);
  return (parsed?.success ? parsed.data : {}) as Record<string, unknown>;
}
