/**
 * Projection at exchanges: the top-level fields the stage across an exchange edge can read,
 * from the nodes' `fieldUse` (a window reads its keys and aggregated fields; a filter its
 * expression's fields and whatever its downstream reads; a sink everything). The BullMQ runner
 * ships only those fields (event time and the other stamps travel beside them), so a wide event
 * feeding a window costs a few bytes in a job, not all of it.
 */
import { readsOf } from '@sluice/shared';
import type { Plan, PlanEdge } from './plan.js';

/** The fields to ship across `edge`; undefined: all of them. */
export function exchangeFields(plan: Plan, edge: PlanEdge): string[] | undefined {
  const memo = new Map<string, readonly string[] | 'all'>();
  const need = (nodeId: string): readonly string[] | 'all' => {
    const known = memo.get(nodeId);
    if (known) return known;
    memo.set(nodeId, 'all'); // a cycle cannot happen (validated); be safe if it did
    const n = plan.nodes.get(nodeId)!;
    let r: readonly string[] | 'all';
    if (n.isSink || !n.def.fieldUse) r = 'all';
    else {
      const use = n.def.fieldUse(n.config, (port) => n.connectedOutputs.has(port));
      // Conservative: a node that passes events on may pass them on any of its outputs.
      r =
        use.reads === 'all' || !use.forwards
          ? use.reads
          : readsOf(use.reads, ...[...n.outEdges.values()].flat().map((e) => need(e.target)));
    }
    memo.set(nodeId, r);
    return r;
  };
  const r = need(edge.target);
  // A combiner's partial rows carry their accumulators beside the key (docs/combiner.md).
  if (r === 'all') return undefined;
  return edge.combine ? [...new Set([...r, ...edge.combine])] : [...r];
}
