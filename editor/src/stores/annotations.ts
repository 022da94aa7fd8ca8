/**
 * Sticky notes and groups in the document being edited, as pure functions of the document: the
 * document store wraps each in one undoable step. Groups store their members only; the frame is
 * drawn around them (canvas/annotation-nodes.ts), so it can never disagree with its nodes.
 */
import { ANNOTATION_COLORS, ANNOTATION_LIMITS, type GroupSpec, type NoteSpec, type PipelineDocument, type Position } from '@sluice/shared';

/** React Flow ids of the canvas items that are not pipeline nodes: apart from node ids by their prefix. */
export const NOTE_PREFIX = 'note:';
export const GROUP_PREFIX = 'group:';
export const noteFlowId = (id: string) => `${NOTE_PREFIX}${id}`;
export const groupFlowId = (id: string) => `${GROUP_PREFIX}${id}`;
export const isAnnotationFlowId = (id: string) => id.startsWith(NOTE_PREFIX) || id.startsWith(GROUP_PREFIX);

export const DEFAULT_NOTE_SIZE = { width: 200, height: 120 };
export const NOTE_COLOR = 'yellow';
export const GROUP_COLOR = 'blue';
export { ANNOTATION_COLORS };

/** The first free `<base><n>` among notes and groups (one id space). */
function freshId(doc: PipelineDocument, base: string): string {
  const taken = new Set([...(doc.notes ?? []), ...(doc.groups ?? [])].map((a) => a.id));
  let i = 1;
  while (taken.has(`${base}${i}`)) i++;
  return `${base}${i}`;
}

export function addNote(doc: PipelineDocument, position: Position, text = ''): { doc: PipelineDocument; id: string } {
  const id = freshId(doc, 'note');
  const note: NoteSpec = { id, text, position, size: { ...DEFAULT_NOTE_SIZE }, color: NOTE_COLOR };
  return { doc: { ...doc, notes: [...(doc.notes ?? []), note] }, id };
}

export function updateNote(doc: PipelineDocument, id: string, patch: Partial<Omit<NoteSpec, 'id'>>): PipelineDocument {
  const text = patch.text?.slice(0, ANNOTATION_LIMITS.maxNoteText);
  return {
    ...doc,
    notes: (doc.notes ?? []).map((n) => (n.id === id ? { ...n, ...patch, ...(text !== undefined ? { text } : {}) } : n)),
  };
}

/**
 * A new group of these nodes, taken out of any group they were in (a node belongs to one group
 * at most); a group left empty goes.
 */
export function groupNodes(
  doc: PipelineDocument,
  nodeIds: readonly string[],
  label?: string,
  color = GROUP_COLOR,
): { doc: PipelineDocument; id: string } | undefined {
  const present = new Set(doc.nodes.map((n) => n.id));
  const members = [...new Set(nodeIds)].filter((id) => present.has(id));
  if (members.length === 0) return undefined;
  const id = freshId(doc, 'group');
  const n = (doc.groups?.length ?? 0) + 1;
  const group: GroupSpec = { id, label: (label ?? `Group ${n}`).slice(0, ANNOTATION_LIMITS.maxGroupLabel), color, nodes: members };
  const rest = withoutMembers(doc, members);
  return { doc: { ...rest, groups: [...(rest.groups ?? []), group] }, id };
}

/** Add nodes to an existing group (out of any other). */
export function addToGroup(doc: PipelineDocument, groupId: string, nodeIds: readonly string[]): PipelineDocument {
  const target = doc.groups?.find((g) => g.id === groupId);
  if (!target) return doc;
  const adding = nodeIds.filter((id) => !target.nodes.includes(id) && doc.nodes.some((n) => n.id === id));
  const rest = withoutMembers(doc, adding);
  return { ...rest, groups: (rest.groups ?? []).map((g) => (g.id === groupId ? { ...g, nodes: [...g.nodes, ...adding] } : g)) };
}

export function updateGroup(doc: PipelineDocument, id: string, patch: Partial<Pick<GroupSpec, 'label' | 'color'>>): PipelineDocument {
  const label = patch.label?.slice(0, ANNOTATION_LIMITS.maxGroupLabel);
  return {
    ...doc,
    groups: (doc.groups ?? []).map((g) => (g.id === id ? { ...g, ...patch, ...(label !== undefined ? { label } : {}) } : g)),
  };
}

/** Notes and groups gone (a group's nodes stay: ungrouping never deletes a node). */
export function removeAnnotations(doc: PipelineDocument, ids: readonly string[]): PipelineDocument {
  if (ids.length === 0) return doc;
  const gone = new Set(ids);
  return tidy({ ...doc, notes: doc.notes?.filter((n) => !gone.has(n.id)), groups: doc.groups?.filter((g) => !gone.has(g.id)) });
}

/** Nodes taken out of every group, and groups left empty dropped (after a delete, or before regrouping). */
export function withoutMembers(doc: PipelineDocument, nodeIds: readonly string[]): PipelineDocument {
  const gone = new Set(nodeIds);
  if (!doc.groups) return doc;
  const groups = doc.groups.map((g) => ({ ...g, nodes: g.nodes.filter((id) => !gone.has(id)) })).filter((g) => g.nodes.length > 0);
  return tidy({ ...doc, groups });
}

/**
 * Canvas drops by React Flow id (nodes, `note:`, `group:`) applied at once: a group moves its
 * members by how far its frame moved from `frames` (each frame's position before the drag).
 */
export function applyMoves(
  doc: PipelineDocument,
  positions: Readonly<Record<string, Position>>,
  frames: ReadonlyMap<string, Position>,
): PipelineDocument {
  const nodeMoves: Record<string, Position> = {};
  const noteMoves: Record<string, Position> = {};
  for (const [flowId, p] of Object.entries(positions)) {
    if (flowId.startsWith(NOTE_PREFIX)) noteMoves[flowId.slice(NOTE_PREFIX.length)] = p;
    else if (!flowId.startsWith(GROUP_PREFIX)) nodeMoves[flowId] = p;
  }
  for (const [flowId, p] of Object.entries(positions)) {
    if (!flowId.startsWith(GROUP_PREFIX)) continue;
    const from = frames.get(flowId);
    const group = doc.groups?.find((g) => groupFlowId(g.id) === flowId);
    if (!from || !group) continue;
    Object.assign(nodeMoves, memberMoves(doc, group, { x: p.x - from.x, y: p.y - from.y }, nodeMoves));
  }
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (nodeMoves[n.id] ? { ...n, position: nodeMoves[n.id] } : n)),
    ...(doc.notes ? { notes: doc.notes.map((n) => (noteMoves[n.id] ? { ...n, position: noteMoves[n.id]! } : n)) } : {}),
  };
}

/** Where a group's members go when its frame moves by `delta` (members React Flow moved itself keep their move). */
export function memberMoves(
  doc: PipelineDocument,
  group: GroupSpec,
  delta: Position,
  moved: Readonly<Record<string, Position>> = {},
): Record<string, Position> {
  const out: Record<string, Position> = {};
  for (const id of group.nodes) {
    if (moved[id]) continue;
    const p = doc.nodes.find((n) => n.id === id)?.position ?? { x: 0, y: 0 };
    out[id] = { x: p.x + delta.x, y: p.y + delta.y };
  }
  return out;
}

/** No empty lists left behind: a document without notes or groups reads as it did before them. */
export function tidy(doc: PipelineDocument): PipelineDocument {
  const { notes, groups, ...rest } = doc;
  return { ...rest, ...(notes?.length ? { notes } : {}), ...(groups?.length ? { groups } : {}) };
}
