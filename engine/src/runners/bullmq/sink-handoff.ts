/**
 * Hands a batch straight to a sink stage served by the same worker (issue 14, target 5). An
 * idle sink queue wakes in two steps (BullMQ's BZPOPMIN on the queue's marker, then
 * moveToActive, each a Redis reply and a turn of the event loop) before its processor runs;
 * when this process owns the sink's queue it already holds the sink's TaskHost, so it applies
 * the batch itself as soon as the batch's job has landed in that queue.
 *
 * Exactly-once is the TaskHost's, unchanged. The batch is in the sink's queue first, so this
 * apply sees nothing the queue's own worker could not already take: both may run before the
 * sender's commit (a sender that loses its claim is repeated byte for byte, under the same job
 * ids). The handed-off apply claims and commits like any other and runs in the host's turn
 * (never beside the queue worker's apply); when the queued copy comes up its sequence number is
 * applied, so it is a duplicate and writes nothing. If the handed-off apply fails (out of
 * order, a claim held elsewhere, Redis away), nothing is lost: the queued copy is applied as
 * before.
 */
import type { Plan } from '../../compile/plan.js';
import type { BatchJob } from './batch-codec.js';
import type { OutgoingJob } from './exchange-buffer.js';
import { traced } from './job-trace.js';
import { PROTOCOL_REFUSALS } from './protocol-refusals.js';

/** A sink task this process serves now (its queue is owned here). */
export interface LocalSink {
  apply: (job: BatchJob) => Promise<boolean>;
}

export interface SinkHandoffOptions {
  plan: Plan;
  /** The task at (stage, partition) if this process serves its queue now. */
  target: (stage: number, partition: number) => LocalSink | undefined;
  log: (line: string) => void;
}

export class SinkHandoff {
  private readonly sinkStages: ReadonlySet<number>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: SinkHandoffOptions) {
    const stages = new Set<number>();
    for (const stage of o.plan.stages) if (stage.nodes.some((id) => o.plan.nodes.get(id)!.isSink)) stages.add(stage.id);
    this.sinkStages = stages;
  }

  /** Apply, here and now, those of `jobs` that go to a sink stage this process serves. Not awaited by the sender. */
  offer(jobs: readonly OutgoingJob[]): void {
    for (const out of jobs) {
      if (!this.sinkStages.has(out.targetStage)) continue;
      const sink = this.o.target(out.targetStage, out.targetPartition);
      if (!sink) continue;
      const queueName = `stage ${out.targetStage}/${out.targetPartition}`;
      const done = traced({ queueName, timestamp: Date.now(), data: out.job }, 'handoff', () => sink.apply(out.job))
        .then(() => undefined)
        .catch((err: Error & { code?: string }) => {
          if (!PROTOCOL_REFUSALS.has(err.code ?? '')) this.o.log(`${queueName}: handed-off batch left to its queue: ${err.message}`);
        });
      this.inFlight.add(done);
      void done.finally(() => this.inFlight.delete(done));
    }
  }

  /** Every handed-off apply has finished (before the hosts close). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}
