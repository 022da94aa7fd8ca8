import type { NodeMetrics } from '@sluice/shared';
import { Histogram } from './histogram.js';

/** Per node (summed over partitions): the counters every node has. */
export class NodeCounters {
  in = 0;
  out = 0;
  errors = 0;
  late = 0;
  dropped = 0;
  batches = 0;
  /** Total time inside the operator (its own work, not downstream's), ms. */
  busyMs = 0;
  readonly batchTimes = new Histogram();

  toMetrics(): NodeMetrics {
    return {
      in: this.in,
      out: this.out,
      errors: this.errors,
      late: this.late,
      dropped: this.dropped,
      batches: this.batches,
      busyMs: round3(this.busyMs),
      batchP50Ms: round3(this.batchTimes.quantile(0.5)),
      batchP99Ms: round3(this.batchTimes.quantile(0.99)),
    };
  }
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
