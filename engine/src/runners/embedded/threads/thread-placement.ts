/**
 * Where each task of a plan runs when the embedded runner uses T threads (docs/embedded-threads.md):
 * partition p of any stage in thread p % T, so a 1-partition stage (a source stage, a sink after a
 * keyed stage, a global window) runs in thread 0. A source stage's chain is not copied into every
 * thread: batches of one source dealt to several threads would reach a keyed partition in an
 * order that depends on timing, and the window's first/last break ties by arrival order.
 */
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { PipelineDocument } from '@sluice/shared';
import { buildPlan, type Plan } from '../../../compile/plan.js';

/** The plan the threads run, the same as one thread's. */
export function threadPlan(document: PipelineDocument, partitions: number): Plan {
  return buildPlan(document, nodeDefinitions, { partitions });
}

export function threadOf(partition: number, threads: number): number {
  return partition % threads;
}
