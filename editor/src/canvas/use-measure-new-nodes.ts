/**
 * React Flow measures a node when it mounts or when its measured state goes from known to
 * unknown. A node object without `measured` (a changed look) resets that state; if the reset
 * lands after the browser reported the node's first size but before React Flow drew it with that
 * size (a deferred render, e.g. the validation marking a node invalid right after a load), React
 * Flow never measures it again: the node stays hidden and its edges undrawn. So after each
 * render, every new node object that React Flow holds unmeasured, or without handles, and that is
 * in the page, is measured here.
 */
import { type Edge, useStoreApi, useUpdateNodeInternals } from '@xyflow/react';
import { useEffect } from 'react';
import type { FlowNode } from './flow-nodes';
import type { MetricEdgeData } from './metric-edge';

export function useMeasureNewNodes(changed: readonly string[]): void {
  const store = useStoreApi<FlowNode, Edge<MetricEdgeData>>();
  const measure = useUpdateNodeInternals();
  // Runs after React Flow's own effect has taken in the new node objects (children's effects run first).
  useEffect(() => {
    const { nodeLookup } = store.getState();
    const unmeasured = changed.filter((id) => {
      const node = nodeLookup.get(id);
      return !!node && !node.hidden && (node.measured.width === undefined || !node.internals.handleBounds);
    });
    // Nodes not in the page (a big graph's, out of view) are skipped by React Flow, measured when drawn.
    if (unmeasured.length > 0) measure(unmeasured);
  }, [changed, store, measure]);
}
