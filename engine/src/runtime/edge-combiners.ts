/**
 * The combiners of a task's outgoing exchanges (docs/combiner.md): one per edge the plan marks
 * `combine`, made by the target node type's operator entry. Stateless across batches, so one
 * per task and edge, reused batch after batch.
 */
import { operatorEntry } from '@sluice/nodes/operators';
import type { Combiner } from '@sluice/nodes/sdk';
import type { Plan, PlanEdge, PlanNode, PlanStage } from '../compile/plan.js';

/** SLUICE_COMBINER=0 sends every event as before: results are the same, for paired measurements. */
function combinerOn(): boolean {
  return process.env.SLUICE_COMBINER !== '0';
}

/** Whether `node` gets partial rows, in a runner whose exchanges combine (TaskOutput.combines). */
export function takesPartialRows(node: PlanNode): boolean {
  return combinerOn() && node.inEdges.some((e) => e.combine !== undefined);
}

/** The combiner of one combined edge, or undefined when its target's type has none. */
export function edgeCombiner(plan: Plan, edge: PlanEdge): Combiner | undefined {
  if (!edge.combine || !combinerOn()) return undefined;
  const target = plan.nodes.get(edge.target)!;
  const entry = operatorEntry(target.type);
  return entry?.kind === 'operator' ? entry.combiner?.(target.config) : undefined;
}

/** By edge id, the combiners of the combined exchange edges leaving `stage`. */
export function edgeCombiners(plan: Plan, stage: PlanStage): Map<string, Combiner> {
  const combiners = new Map<string, Combiner>();
  for (const edge of plan.edges) {
    if (plan.nodes.get(edge.source)!.stage !== stage.id) continue;
    const c = edgeCombiner(plan, edge);
    if (c) combiners.set(edge.id, c);
  }
  return combiners;
}
