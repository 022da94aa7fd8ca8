/**
 * A partition of the next stage that runs in another thread, standing in for its node as the
 * terminal of a fused chain (runtime/chain-plan.ts): the chain hands it events one by one, as it
 * hands them to a partition here, and it keeps them until the chain's batch ends, then sends them
 * as one batch (thread-part.ts encodes it). Behind an enrich, what it keeps is what the exchange
 * ships, copied from the chain's view (Projection.carry): the enriched event is never built.
 * Its counters are its own and dropped: the partition that runs the node counts what it takes.
 * On a combined edge it folds what it is handed into partial rows instead (docs/combiner.md).
 */
import type { Event } from '@sluice/shared';
import type { Collector, Combiner, KeyMemo } from '@sluice/nodes/sdk';
import type { PlanEdge } from '../../../compile/plan.js';
import { NodeCounters } from '../../../metrics/node-counters.js';
import { Projection } from '../../../runtime/fused-chain.js';
import { NodeInstance } from '../../../runtime/node-instance.js';

export type SendBatch = (edge: PlanEdge, to: number, events: Event[]) => void;

export class RemotePartition extends NodeInstance {
  private kept: Event[] = [];

  /** `like`: the node's instance in a partition here (what its operator reads); `fields`: what the exchange ships. */
  constructor(
    like: NodeInstance,
    private readonly edge: PlanEdge,
    private readonly to: number,
    private readonly fields: readonly string[] | undefined,
    private readonly sendBatch: SendBatch,
    /** Folds what it is handed into partial rows (docs/combiner.md) when the edge combines. */
    private readonly combiner?: Combiner,
  ) {
    super(like.node, new NodeCounters(), () => {}, undefined);
    const reads = like.op!.reads;
    this.op = {
      process: () => {
        throw new Error(`${like.node.id}: a partition in another thread takes no batch here`);
      },
      accept: (e: Event, out: Collector) => this.keep(e, out),
      // A chain keyed by an enrich row hands its memo to whichever partition the key routes to:
      // the memo belongs to the window in the other thread, so here it is the same as accept.
      acceptKeyed: (e: Event, _memo: KeyMemo, out: Collector) => this.keep(e, out),
      ...(reads ? { reads } : {}),
    };
  }

  private keep(e: Event, out: Collector): void {
    // The combiner reads the chain's view during the call: nothing is copied for what it folds.
    if (this.combiner?.offer(e)) return;
    const kept = out instanceof Projection ? out.carry(e, this.fields) : e;
    if (this.combiner) this.combiner.pass(kept);
    else this.kept.push(kept);
  }

  override flushAfter(): void {
    if (this.combiner) {
      const events = this.combiner.drain();
      if (events.length > 0) this.sendBatch(this.edge, this.to, events);
      return;
    }
    if (this.kept.length === 0) return;
    const events = this.kept;
    this.kept = [];
    this.sendBatch(this.edge, this.to, events);
  }
}
