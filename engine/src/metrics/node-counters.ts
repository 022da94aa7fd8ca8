import type { NodeCounts, NodeMetrics } from '@sluice/shared';
import { Histogram } from './histogram.js';

/** Per node (summed over partitions): the counters every node has. */
export class NodeCounters implements NodeCounts {
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
      ...copyCounts(this),
      busyMs: round3(this.busyMs),
      batchP50Ms: round3(this.batchTimes.quantile(0.5)),
      batchP99Ms: round3(this.batchTimes.quantile(0.99)),
    };
  }
}

export function emptyCounts(): NodeCounts {
  return { in: 0, out: 0, errors: 0, late: 0, dropped: 0, batches: 0, busyMs: 0 };
}

/** The counts alone (a NodeCounters also carries its histogram): what is committed and carried. */
export function copyCounts(c: NodeCounts): NodeCounts {
  return { in: c.in, out: c.out, errors: c.errors, late: c.late, dropped: c.dropped, batches: c.batches, busyMs: c.busyMs };
}

export function addCounts(into: NodeCounts, c: NodeCounts): void {
  into.in += c.in;
  into.out += c.out;
  into.errors += c.errors;
  into.late += c.late;
  into.dropped += c.dropped;
  into.batches += c.batches;
  into.busyMs += c.busyMs;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
