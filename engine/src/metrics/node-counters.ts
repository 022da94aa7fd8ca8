import type { NodeCounts, NodeMetrics } from '@sluice/shared';
import { type ErrorSample, ErrorSamples } from './error-samples.js';
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
  /** The first distinct error messages with their counts (replaced when restored from a commit). */
  samples = new ErrorSamples();

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

/** Each node's error samples, nodes without any left out: what a commit, a checkpoint or a result carries. */
export function samplesByNode(counters: Iterable<readonly [string, NodeCounters]>): Record<string, ErrorSample[]> {
  const out: Record<string, ErrorSample[]> = {};
  for (const [id, c] of counters) {
    const list = c.samples.list();
    if (list.length > 0) out[id] = list;
  }
  return out;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
