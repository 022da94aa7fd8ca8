/**
 * Notes and group frames as React Flow nodes. A frame's box is worked out from its members'
 * positions and sizes on every render (never stored), so moving a member grows the frame and
 * moving the frame (which moves its members) brings the box along.
 */
import type { Node, XYPosition } from '@xyflow/react';
import type { GroupSpec, NodeSpec, NoteSpec } from '@sluice/shared';
import { DEFAULT_NOTE_SIZE, GROUP_COLOR, groupFlowId, NOTE_COLOR, noteFlowId } from '../stores/annotations';
import type { Measured } from './flow-nodes';

export interface NoteData extends Record<string, unknown> {
  noteId: string;
  text: string;
  color: string;
}
export interface FrameData extends Record<string, unknown> {
  groupId: string;
  label: string;
  color: string;
  members: number;
}
export type NoteNode = Node<NoteData, 'note'>;
export type FrameNode = Node<FrameData, 'groupFrame'>;

/** Space around the members, and the label strip above them (canvas px). */
export const FRAME_PAD = 24;
export const FRAME_HEADER = 32;
/** How far React Flow lifts a selected node's z-index (elevateNodesOnSelect). */
const SELECTED_LIFT = 1000;
/** A node not yet measured, as flow-nodes.ts estimates it. */
const NODE_SIZE = { width: 215, height: 47 };

/** CSS colour of an annotation colour: a palette name through its design token, a hex as written. */
export function cssColor(color: string): string {
  return color.startsWith('#') ? color : `var(--annotation-${color}, ${PALETTE[color] ?? PALETTE.yellow})`;
}
const PALETTE: Record<string, string> = {
  yellow: '#facc15',
  orange: '#fb923c',
  red: '#f87171',
  pink: '#f472b6',
  purple: '#a78bfa',
  blue: '#60a5fa',
  teal: '#2dd4bf',
  green: '#4ade80',
  gray: '#9ca3af',
};

export interface FrameBox {
  position: XYPosition;
  width: number;
  height: number;
}

/** The frame around a group's members, or undefined when none of them is drawn. */
export function frameBox(group: GroupSpec, positionOf: (id: string) => XYPosition | undefined, measured: Measured): FrameBox | undefined {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const id of group.nodes) {
    const p = positionOf(id);
    if (!p) continue;
    const size = measured.get(id) ?? NODE_SIZE;
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + size.width);
    maxY = Math.max(maxY, p.y + size.height);
  }
  if (minX === Number.POSITIVE_INFINITY) return undefined;
  return {
    position: { x: minX - FRAME_PAD, y: minY - FRAME_PAD - FRAME_HEADER },
    width: maxX - minX + 2 * FRAME_PAD,
    height: maxY - minY + 2 * FRAME_PAD + FRAME_HEADER,
  };
}

export interface AnnotationNodes {
  /** Drawn first: behind the pipeline nodes. */
  frames: FrameNode[];
  notes: NoteNode[];
  /** Each frame's position from the document alone (no drag under way): where a frame drag starts from. */
  origins: Map<string, XYPosition>;
}

export function annotationNodes(args: {
  notes: readonly NoteSpec[] | undefined;
  groups: readonly GroupSpec[] | undefined;
  specs: readonly NodeSpec[];
  dragging: ReadonlyMap<string, XYPosition>;
  measured: Measured;
  selected: string | undefined;
  /** Note sizes while a resize is under way, by flow id. */
  resizing: ReadonlyMap<string, { width: number; height: number }>;
}): AnnotationNodes {
  const { specs, dragging, measured, selected } = args;
  // Most documents have neither: a drag step of a big graph costs nothing here then.
  if (!args.notes?.length && !args.groups?.length) return { frames: [], notes: [], origins: new Map() };
  const stored = new Map(specs.map((n, i) => [n.id, n.position ?? { x: 80 + 240 * i, y: 120 }]));
  const origins = new Map<string, XYPosition>();
  const frames: FrameNode[] = [];
  for (const g of args.groups ?? []) {
    const id = groupFlowId(g.id);
    const box = frameBox(g, (n) => dragging.get(n) ?? stored.get(n), measured);
    const origin = frameBox(g, (n) => stored.get(n), measured);
    if (!box || !origin) continue;
    origins.set(id, origin.position);
    frames.push({
      id,
      type: 'groupFrame',
      position: box.position,
      width: box.width,
      height: box.height,
      // Behind the nodes and the edges, selected too: React Flow lifts a selected node by 1000.
      zIndex: selected === id ? -1 - SELECTED_LIFT : -1,
      selected: selected === id,
      ariaLabel: `Group ${g.label}: ${g.nodes.length} node${g.nodes.length === 1 ? '' : 's'}`,
      data: { groupId: g.id, label: g.label, color: g.color ?? GROUP_COLOR, members: g.nodes.length },
    });
  }
  const notes: NoteNode[] = (args.notes ?? []).map((n) => {
    const id = noteFlowId(n.id);
    const size = args.resizing.get(id) ?? n.size ?? DEFAULT_NOTE_SIZE;
    return {
      id,
      type: 'note',
      position: dragging.get(id) ?? n.position,
      width: size.width,
      height: size.height,
      selected: selected === id,
      dragHandle: '.note-grip',
      ariaLabel: `Note: ${n.text.slice(0, 60) || 'empty'}`,
      data: { noteId: n.id, text: n.text, color: n.color ?? NOTE_COLOR },
    };
  });
  return { frames, notes, origins };
}
