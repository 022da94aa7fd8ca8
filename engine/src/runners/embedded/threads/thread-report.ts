/**
 * A partition thread's metrics report to the main thread (metrics-merger.ts adds the threads'
 * reports up): the counts of the nodes whose partitions run here, the edge counts, and each
 * task's watermark.
 */
import type { RunMetrics } from '../../../metrics/run-metrics.js';
import type { Task } from '../../../runtime/task.js';
import type { MetricsReport } from './thread-protocol.js';

export function metricsReport(tasks: Map<number, Map<number, Task>>, metrics: RunMetrics, edgeCounts: Map<string, number>): MetricsReport {
  const report: MetricsReport = { nodes: {}, edges: {}, watermarks: [] };
  const local = new Set<string>();
  for (const list of tasks.values())
    for (const [p, task] of list) {
      for (const id of task.stage.nodes) local.add(id);
      report.watermarks.push([task.stage.id, p, task.watermark]);
    }
  for (const id of local) {
    const c = metrics.node(id);
    const latency = metrics.sinkLatency(id);
    report.nodes[id] = {
      counts: { in: c.in, out: c.out, errors: c.errors, late: c.late, dropped: c.dropped, batches: c.batches, busyMs: c.busyMs },
      batch: c.batchTimes.toSparse(),
      ...(latency ? { latency: latency.toSparse() } : {}),
      samples: c.samples.list(),
    };
  }
  for (const [id, n] of edgeCounts) report.edges[id] = n;
  return report;
}
