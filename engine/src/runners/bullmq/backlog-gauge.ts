/**
 * Backpressure for the source partitions one process runs: the deepest keyed queue (waiting
 * batches per partition, by stage), read at most every 100 ms or sooner once a high-water's
 * worth of batches was added since. Sources poll only while it is under the high-water mark.
 */
import type { Plan } from '../../compile/plan.js';
import type { QueueSet } from './queue-set.js';

const READ_EVERY_MS = 100;

export class BacklogGauge {
  private last = Number.NEGATIVE_INFINITY;
  private added = 0;
  private max = 0;
  private reading: Promise<void> | undefined;

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
      this.reading ??= this.read().finally(() => (this.reading = undefined));
      await this.reading;
    }
    return this.max > this.highWater;
  }

  private async read(): Promise<void> {
    this.last = performance.now();
    this.added = 0;
    let max = 0;
    for (const s of this.plan.stages) {
      if (s.source !== undefined) continue;
      let n = 0;
      for (let p = 0; p < s.partitions; p++) n += await this.queues.queue(s.id, p).getWaitingCount();
      max = Math.max(max, n / s.partitions);
    }
    this.max = max;
  }
}
