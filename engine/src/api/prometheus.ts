/**
 * `/metrics`: Prometheus text from the same snapshots as the SSE stream, collected at scrape
 * time (a dedicated registry, so nothing else leaks in).
 */
import { Gauge, Registry } from 'prom-client';
import type { DeploymentManager } from '../deployments/deployment-manager.js';

export function prometheusRegistry(deployments: DeploymentManager): Registry {
  const registry = new Registry();
  const snapshots = () => [...deployments.all()].map(([id, h]) => [id, h.metrics()] as const);
  const nodeGauge = (name: string, help: string, pick: (n: { in: number; out: number; errors: number; late: number; dropped: number; batchP50Ms: number; batchP99Ms: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['pipeline', 'node'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pid, m] of snapshots()) for (const [node, n] of Object.entries(m.nodes)) this.set({ pipeline: pid, node }, pick(n));
      },
    });
  nodeGauge('sluice_node_events_in_total', 'Events into a node', (n) => n.in);
  nodeGauge('sluice_node_events_out_total', 'Events out of a node', (n) => n.out);
  nodeGauge('sluice_node_errors_total', 'Events that failed on a node', (n) => n.errors);
  nodeGauge('sluice_node_late_total', 'Late events at a node', (n) => n.late);
  nodeGauge('sluice_node_dropped_total', 'Events a node dropped on purpose', (n) => n.dropped);
  nodeGauge('sluice_node_batch_p50_seconds', 'Median batch processing time', (n) => n.batchP50Ms / 1000);
  nodeGauge('sluice_node_batch_p99_seconds', '99th percentile batch processing time', (n) => n.batchP99Ms / 1000);
  const stageGauge = (name: string, help: string, pick: (s: { backlog: number; watermarkLagMs: number | null }) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['pipeline', 'stage'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pid, m] of snapshots())
          for (const [stage, s] of Object.entries(m.stages)) {
            const v = pick(s);
            if (v !== null) this.set({ pipeline: pid, stage }, v);
          }
      },
    });
  stageGauge('sluice_stage_backlog_events', 'Batches waiting in a stage', (s) => s.backlog);
  stageGauge('sluice_stage_watermark_lag_seconds', 'Wall clock minus the stage watermark', (s) => (s.watermarkLagMs === null ? null : s.watermarkLagMs / 1000));
  for (const [q, label] of [
    ['p50', 0.5],
    ['p99', 0.99],
  ] as const) {
    new Gauge({
      name: `sluice_sink_latency_${q}_seconds`,
      help: `End-to-end latency at a sink (sink time minus ingest time), quantile ${label}`,
      labelNames: ['pipeline', 'node'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pid, m] of snapshots()) for (const [node, s] of Object.entries(m.sinks)) this.set({ pipeline: pid, node }, (q === 'p50' ? s.p50Ms : s.p99Ms) / 1000);
      },
    });
  }
  new Gauge({
    name: 'sluice_pipeline_running',
    help: '1 when the pipeline is running',
    labelNames: ['pipeline'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [pid, h] of deployments.all()) this.set({ pipeline: pid }, h.status() === 'running' ? 1 : 0);
    },
  });
  return registry;
}
