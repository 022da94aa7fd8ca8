/**
 * Document nodes to React Flow nodes, keeping each object as long as what it shows is unchanged:
 * React Flow re-renders a node only when its object changes, so a drag step or a selection
 * re-renders the nodes it touched, not all of them.
 */
import { type Node, type NodeHandle, Position, type XYPosition } from '@xyflow/react';
import type { NodeSpec } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { handleTop, inputPorts, outputPorts } from './ports';

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

/** A node's box before it is measured (styles.css: `.sluice-node` is 215 px wide), and its handles' boxes. */
const WIDTH = 215;
const HEIGHT = 47;
const HANDLE = 8;
/**
 * The estimated size as `measured` too: React Flow holds a fit (Fit view, a document opened)
 * until every node has a measured size, and a big graph's nodes out of view never get one, so
 * the fit waited and fired at the next node drawn: mid-pan or mid-drag, undoing the gesture.
 * A node drawn is measured all the same (React Flow observes every node it mounts).
 */
const ESTIMATE = { width: WIDTH, height: HEIGHT };

/**
 * Where a node's handles will be, before it is drawn. React Flow draws every node it has no
 * handles for, just to measure it; with these it can leave a big graph's nodes out of view
 * undrawn, and an edge into one still has an end. Drawn nodes are measured as usual.
 */
export function estimatedHandles(type: string, config: Record<string, unknown>): NodeHandle[] {
  const side = (names: string[], kind: 'source' | 'target') =>
    names.map((id, i) => ({
      id,
      type: kind,
      position: kind === 'target' ? Position.Left : Position.Right,
      x: (kind === 'target' ? 0 : WIDTH) - HANDLE / 2,
      y: handleTop(i) - HANDLE / 2,
      width: HANDLE,
      height: HANDLE,
    }));
  return [...side(inputPorts(type), 'target'), ...side(outputPorts(type, config), 'source')];
}

/** The nodes, the cache for the next call, and the ids whose node object is new (React Flow takes them in afresh). */
export function flowNodes(
  cache: FlowNodeCache,
  specs: readonly NodeSpec[],
  selection: ReadonlySet<string>,
  invalid: ReadonlySet<string>,
  dragging: ReadonlyMap<string, XYPosition>,
  measured: Measured = new Map(),
  /** Give nodes not yet measured an estimated size and handles (big graphs, which draw only what is in view). */
  estimate = false,
): { nodes: FlowNode[]; cache: FlowNodeCache; changed: string[] } {
  const next = new Map<string, Entry>();
  const changed: string[] = [];
  const nodes = specs.map((spec, i) => {
    const selected = selection.has(spec.id);
    const isInvalid = invalid.has(spec.id);
    const dragged = dragging.get(spec.id);
    const hit = cache.get(spec.id);
    // The data object is kept while what it shows is, so the node component's memo holds on a selection, a drag or a drop.
    const sameLook =
      !!hit && hit.spec.type === spec.type && hit.spec.label === spec.label && hit.spec.config === spec.config && hit.invalid === isInvalid;
    const data =
      hit && sameLook ? hit.node.data : { type: spec.type, label: spec.label ?? spec.id, config: spec.config, invalid: isInvalid };
    // A changed look (label, config: ports may come or go) is measured again.
    const size = sameLook ? measured.get(spec.id) : undefined;
    // An object without a size is made again once a size is known (the minimap draws a node from its object's
    // size only); one with a size keeps it when the node grows: React Flow follows real sizes itself.
    const node: FlowNode =
      hit &&
      hit.node.data === data &&
      hit.spec.position === spec.position &&
      hit.selected === selected &&
      hit.dragged === dragged &&
      (hit.node.measured !== undefined || size === undefined)
        ? hit.node
        : {
            id: spec.id,
            type: 'sluice',
            position: dragged ?? spec.position ?? { x: 80 + 240 * i, y: 120 },
            selected,
            data,
            // What a screen reader says when Tab reaches the node.
            ariaLabel: `${spec.label || spec.id}: ${nodeDefinitions.get(spec.type)?.title ?? spec.type} node`,
            // A node object without its measured size makes React Flow measure it again (its handles
            // too, forcing a layout) and report the size back: on every drag step, without this.
            ...(size
              ? { measured: size }
              : estimate && !measured.has(spec.id)
                ? { measured: ESTIMATE, initialWidth: WIDTH, initialHeight: HEIGHT, handles: estimatedHandles(spec.type, spec.config) }
                : {}),
          };
    if (node !== hit?.node) changed.push(spec.id);
    next.set(spec.id, { spec, selected, invalid: isInvalid, dragged, node });
    return node;
  });
  return { nodes, cache: next, changed };
}
