/**
 * Document nodes to React Flow nodes, keeping each object as long as what it shows is unchanged:
 * React Flow re-renders a node only when its object changes, so a drag step or a selection
 * re-renders the nodes it touched, not all of them.
 */
import type { Node, XYPosition } from '@xyflow/react';
import type { NodeSpec } from '@sluice/shared';

export interface SluiceNodeData extends Record<string, unknown> {
  type: string;
  label: string;
  config: Record<string, unknown>;
  invalid: boolean;
}

export type FlowNode = Node<SluiceNodeData>;

interface Entry {
  spec: NodeSpec;
  selected: boolean;
  invalid: boolean;
  /** The position shown while a drag is under way (not yet in the document). */
  dragged: XYPosition | undefined;
  node: FlowNode;
}

/** Entries by node id from the previous call; pass the returned cache to the next one. */
export type FlowNodeCache = ReadonlyMap<string, Entry>;

/** A node's size as React Flow measured it. */
export type Measured = ReadonlyMap<string, { width: number; height: number }>;

export function flowNodes(
  cache: FlowNodeCache,
  specs: readonly NodeSpec[],
  selection: ReadonlySet<string>,
  invalid: ReadonlySet<string>,
  dragging: ReadonlyMap<string, XYPosition>,
  measured: Measured = new Map(),
): { nodes: FlowNode[]; cache: FlowNodeCache } {
  const next = new Map<string, Entry>();
  const nodes = specs.map((spec, i) => {
    const selected = selection.has(spec.id);
    const isInvalid = invalid.has(spec.id);
    const dragged = dragging.get(spec.id);
    const hit = cache.get(spec.id);
    // The data object is kept while the spec is, so the node component's memo holds on a selection or drag.
    const data = hit && hit.spec === spec && hit.invalid === isInvalid ? hit.node.data : { type: spec.type, label: spec.label ?? spec.id, config: spec.config, invalid: isInvalid };
    const size = measured.get(spec.id);
    const node: FlowNode =
      hit && hit.node.data === data && hit.selected === selected && hit.dragged === dragged
        ? hit.node
        : {
            id: spec.id,
            type: 'sluice',
            position: dragged ?? spec.position ?? { x: 80 + 240 * i, y: 120 },
            selected,
            data,
            // A node object without its measured size makes React Flow measure it again (its handles
            // too, forcing a layout) and report the size back: on every drag step, without this.
            ...(size ? { measured: size } : {}),
          };
    next.set(spec.id, { spec, selected, invalid: isInvalid, dragged, node });
    return node;
  });
  return { nodes, cache: next };
}
