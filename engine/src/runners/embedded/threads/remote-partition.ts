/**
 * A partition of the next stage that runs in another thread, standing in for its node as the
 * terminal of a fused chain (runtime/chain-plan.ts): the chain hands it events one by one, as it
 * hands them to a partition here, and it keeps them until the chain's batch ends, then sends them
 * as one batch (thread-part.ts encodes it). Behind an enrich, what it keeps is what the exchange
 * ships, copied from the chain's view (Projection.carry): the enriched event is never built.
 * Its counters are its own and dropped: the partition that runs the node counts what it takes.
 */
import type { Event } from '@sluice/shared';
import type { Collector, KeyMemo } from '@sluice/nodes/sdk';
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
    this.kept.push(out instanceof Projection ? out.carry(e, this.fields) : e);
  }

  override flushAfter(): void {
    if (this.kept.length === 0) return;
    const events = this.kept;
    this.kept = [];
    this.sendBatch(this.edge, this.to, events);
  }
}
