/**
 * Backpressure for the source partitions one process runs: the deepest keyed queue (waiting
 * batches per partition, by stage), read at most every 100 ms or sooner once a high-water's
 * worth of batches was added since. Sources poll only while it is under the high-water mark.
 * A source does not wait for a reading while the last one was under the mark: the reading goes
 * on beside it (the queues' lengths asked in parallel), and the next check uses it. Waiting for
 * it cost a round trip per queue before every batch (bench:scale: a fifth of a source's time).
 */
import type { Plan } from '../../compile/plan.js';
import type { QueueSet } from './queue-set.js';

const READ_EVERY_MS = 100;

export class BacklogGauge {
  private last = Number.NEGATIVE_INFINITY;
  private added = 0;
  private max = 0;
  private reading: Promise<void> | undefined;
  private failed: unknown;

  constructor(
    private readonly plan: Plan,
    private readonly queues: QueueSet,
    readonly highWater: number,
  ) {}

  /** Batches were enqueued (a high-water's worth makes the next check read again). */
  add(jobs: number): void {
    this.added += jobs;
  }

  /** True while some keyed stage holds more than `highWater` batches per partition. */
  async over(): Promise<boolean> {
    if (performance.now() - this.last > READ_EVERY_MS || this.added >= this.highWater) {
      this.reading ??= this.read()
        .catch((err: unknown) => {
          this.failed = err; // thrown by the next check, as if it had waited
        })
        .finally(() => (this.reading = undefined));
      // Over the mark: wait for the new reading before polling again.
      if (this.max > this.highWater) await this.reading;
    }
    const err = this.failed;
    this.failed = undefined;
    if (err !== undefined) throw err;
    return this.max > this.highWater;
  }

  private async read(): Promise<void> {
    this.last = performance.now();
    this.added = 0;
    const stages = this.plan.stages.filter((s) => s.source === undefined);
    const depths = await Promise.all(
      stages.map(async (s) => {
        const counts = await Promise.all(Array.from({ length: s.partitions }, (_, p) => this.queues.queue(s.id, p).getWaitingCount()));
        return counts.reduce((a, b) => a + b, 0) / s.partitions;
      }),
    );
    this.max = Math.max(0, ...depths);
  }
}
