/**
 * A threaded run's metrics: each partition thread reports its own totals (counts, histograms,
 * error samples, edge counts, task watermarks); the run's RunMetrics shows what was carried
 * into it (a hot redeploy) plus the latest report of every thread.
 */
import type { NodeCounts } from '@sluice/shared';
import type { Plan } from '../../../compile/plan.js';
import { type ErrorSample, ErrorSamples, mergeSamples } from '../../../metrics/error-samples.js';
import { Histogram } from '../../../metrics/histogram.js';
import { addCounts, copyCounts } from '../../../metrics/node-counters.js';
import type { RunMetrics } from '../../../metrics/run-metrics.js';
import type { MetricsReport } from './thread-protocol.js';

export class MetricsMerger {
  private readonly base = new Map<string, { counts: NodeCounts; samples: ErrorSample[] }>();
  private readonly reports: (MetricsReport | undefined)[];
  private readonly edgesShown = new Map<string, number>();

  constructor(
    private readonly metrics: RunMetrics,
    plan: Plan,
    threads: number,
  ) {
    this.reports = new Array(threads).fill(undefined);
    for (const id of plan.order) {
      const c = metrics.node(id);
      this.base.set(id, { counts: copyCounts(c), samples: c.samples.list() });
    }
  }

  apply(thread: number, report: MetricsReport): void {
    this.reports[thread] = report;
    const all = this.reports.filter((r): r is MetricsReport => r !== undefined);
    for (const id of Object.keys(report.nodes)) {
      const c = this.metrics.node(id);
      const base = this.base.get(id)!;
      const counts = copyCounts(base.counts);
      const samples: ErrorSample[][] = [base.samples];
      c.batchTimes.reset();
      const latency = this.metrics.sinkLatency(id);
      latency?.reset();
      for (const r of all) {
        const n = r.nodes[id];
        if (!n) continue;
        addCounts(counts, n.counts);
        samples.push(n.samples);
        c.batchTimes.merge(Histogram.fromSparse(n.batch));
        if (latency && n.latency) latency.merge(Histogram.fromSparse(n.latency));
      }
      Object.assign(c, counts);
      c.samples = new ErrorSamples(mergeSamples(samples));
    }
    for (const id of Object.keys(report.edges)) {
      const total = all.reduce((s, r) => s + (r.edges[id] ?? 0), 0);
      this.metrics.edge(id, total - (this.edgesShown.get(id) ?? 0));
      this.edgesShown.set(id, total);
    }
    for (const [stage, part, wm] of report.watermarks) this.metrics.setWatermark(stage, part, wm);
  }
}
