/**
 * The engine's own histograms (metrics/histogram.ts: 4% log buckets, ms) served as Prometheus
 * histograms (`_bucket{le}`, `_sum`, `_count`, seconds), so p99 can be aggregated over workers
 * and partitions with `histogram_quantile`. The engine keeps the counts (BullMQ tasks commit
 * them with each batch), so this class only reshapes them at scrape time; prom-client formats.
 */
import { Histogram as PromHistogram, type MetricType, type MetricValueWithName, type Registry } from 'prom-client';
import { bucketUpperMs, type Histogram } from '../metrics/histogram.js';

/** Batch times: a stateless operator on a batch takes well under a millisecond. */
export const BATCH_BOUNDS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** End to end: milliseconds for stateless paths, a window's size (seconds to minutes) behind a window. */
export const LATENCY_BOUNDS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export interface PrometheusBuckets {
  /** Cumulative count per bound (same order as the bounds). */
  cumulative: number[];
  count: number;
  /** Seconds; estimated from the buckets (each value at its bucket's geometric middle, within 2%). */
  sum: number;
}

/**
 * Cumulative counts for `le` bounds in seconds. An engine bucket counts under a bound only when
 * its whole range is at or below it, so `le` never holds a value above the bound; values just
 * below a bound may count in the next one (a quantile reads at most one engine bucket, 4%, high).
 */
export function toPrometheusBuckets(h: Histogram, boundsS: readonly number[]): PrometheusBuckets {
  const cumulative = new Array<number>(boundsS.length).fill(0);
  let sumMs = 0;
  for (const [i, n] of h.toSparse()) {
    const upper = bucketUpperMs(i);
    sumMs += n * (i === 0 ? upper / 2 : Math.sqrt(bucketUpperMs(i - 1) * upper));
    for (let b = boundsS.length - 1; b >= 0 && upper <= boundsS[b]! * 1000 * (1 + 1e-9); b--) cumulative[b]! += n;
  }
  return { cumulative, count: h.count, sum: sumMs / 1000 };
}

export interface EngineHistogramOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  boundsS: readonly number[];
  registers: Registry[];
  /** The series at scrape time: labels and the engine histogram behind them. */
  series: () => Iterable<[Record<L, string>, Histogram]>;
}

/** prom-client's MetricType enum exists in its typings only; its runtime value is the string. */
const HISTOGRAM = 'histogram' as unknown as MetricType;

interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/** A prom-client Histogram whose buckets come from the engine rather than from observe(). */
export class EngineHistogram<L extends string> extends PromHistogram<L> {
  private readonly o: EngineHistogramOptions<L>;

  constructor(o: EngineHistogramOptions<L>) {
    super({ name: o.name, help: o.help, labelNames: o.labelNames, buckets: [...o.boundsS], registers: o.registers });
    this.o = o;
  }

  private samples(): Sample[] {
    const out: Sample[] = [];
    const { name, boundsS } = this.o;
    for (const [labels, h] of this.o.series()) {
      const b = toPrometheusBuckets(h, boundsS);
      for (let i = 0; i < boundsS.length; i++)
        out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: boundsS[i]! }, value: b.cumulative[i]! });
      out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: b.count });
      out.push({ metricName: `${name}_sum`, labels, value: b.sum });
      out.push({ metricName: `${name}_count`, labels, value: b.count });
    }
    return out;
  }

  // The registry reads getForPromString() when it exists (text), get() otherwise (JSON); both
  // are replaced, since prom-client's own read its observe() state.
  getForPromString() {
    return this.get();
  }

  override async get() {
    const values = this.samples() as MetricValueWithName<L>[];
    return { name: this.o.name, help: this.o.help, type: HISTOGRAM, aggregator: 'sum' as const, collect: () => undefined, values };
  }
}
