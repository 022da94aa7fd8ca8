/**
 * Where each task of a plan runs when the embedded runner uses T threads (docs/embedded-threads.md).
 * Partition p of any stage runs in thread p % T. A source stage whose chain holds no sink is
 * replicated: its source stays on the main thread, which deals the source's batches out over
 * the threads in turn, and each thread runs the stateless chain on its share ("virtual
 * partition" j*T + t for source partition j). A source stage with a sink keeps its partitions,
 * since a sink writes one file or connection.
 */
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { PipelineDocument } from '@sluice/shared';
import { buildPlan, type Plan, type PlanStage } from '../../../compile/plan.js';

/** Whether a source stage's chain runs in every thread (true) or in one (false). */
export function isReplicated(stage: PlanStage, plan: Plan): boolean {
  return stage.source !== undefined && !stage.nodes.some((id) => plan.nodes.get(id)!.isSink);
}

/** The plan the threads run: replicated source stages have one partition per (source partition, thread). */
export function threadPlan(document: PipelineDocument, partitions: number, threads: number): Plan {
  const plan = buildPlan(document, nodeDefinitions, { partitions });
  return { ...plan, stages: plan.stages.map((s) => (isReplicated(s, plan) ? { ...s, partitions: s.partitions * threads } : s)) };
}

export function threadOf(partition: number, threads: number): number {
  return partition % threads;
}

/** A task partition of the thread plan as the partition of the plan people see (metrics). */
export function shownPartition(stage: PlanStage, plan: Plan, partition: number, threads: number): number {
  return isReplicated(stage, plan) ? Math.floor(partition / threads) : partition;
}
