/**
 * `/metrics`: Prometheus text from the same snapshots as the SSE stream, collected at scrape
 * time into a dedicated registry (nothing of prom-client's global registry leaks in). Counts
 * restart from zero when a pipeline is redeployed, which Prometheus reads as a counter reset.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { NodeMetrics, PipelineMetrics } from '@sluice/shared';
import type { DeploymentManager } from '../deployments/deployment-manager.js';

/** Every metric family is collected in the same scrape: take the snapshots once. */
const SNAPSHOT_TTL_MS = 250;

export function prometheusRegistry(deployments: DeploymentManager): Registry {
  const registry = new Registry();
  let cache: { at: number; data: [string, PipelineMetrics][] } | undefined;
  const snapshots = () => {
    const now = Date.now();
    if (!cache || now - cache.at > SNAPSHOT_TTL_MS) cache = { at: now, data: [...deployments.all()].map(([id, h]) => [id, h.metrics()]) };
    return cache.data;
  };

  const nodeCounter = (name: string, help: string, pick: (n: NodeMetrics) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['pipeline', 'node'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pipeline, m] of snapshots()) for (const [node, n] of Object.entries(m.nodes)) this.inc({ pipeline, node }, pick(n));
      },
    });
  nodeCounter('sluice_node_events_in_total', 'Events into a node', (n) => n.in);
  nodeCounter('sluice_node_events_out_total', 'Events out of a node', (n) => n.out);
  nodeCounter('sluice_node_errors_total', 'Events that failed on a node', (n) => n.errors);
  nodeCounter('sluice_node_late_total', 'Events that arrived after their window was emitted', (n) => n.late);
  nodeCounter('sluice_node_dropped_total', 'Events a node discarded on purpose', (n) => n.dropped);
  nodeCounter('sluice_node_batches_total', 'Batches a node processed', (n) => n.batches);

  new Counter({
    name: 'sluice_edge_events_total',
    help: 'Events that crossed an edge',
    labelNames: ['pipeline', 'edge'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [pipeline, m] of snapshots()) for (const [edge, e] of Object.entries(m.edges)) this.inc({ pipeline, edge }, e.events);
    },
  });

  // Quantiles come precomputed from the engine's histograms: gauges with a `quantile` label.
  new Gauge({
    name: 'sluice_node_batch_duration_seconds',
    help: 'Batch processing time of a node, by quantile (0.5, 0.99)',
    labelNames: ['pipeline', 'node', 'quantile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [pipeline, m] of snapshots())
        for (const [node, n] of Object.entries(m.nodes)) {
          this.set({ pipeline, node, quantile: '0.5' }, n.batchP50Ms / 1000);
          this.set({ pipeline, node, quantile: '0.99' }, n.batchP99Ms / 1000);
        }
    },
  });
  new Gauge({
    name: 'sluice_sink_latency_seconds',
    help: 'End-to-end latency at a sink (sink time minus ingest time), by quantile (0.5, 0.99)',
    labelNames: ['pipeline', 'node', 'quantile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [pipeline, m] of snapshots())
        for (const [node, s] of Object.entries(m.sinks)) {
          if (s.count === 0) continue;
          this.set({ pipeline, node, quantile: '0.5' }, s.p50Ms / 1000);
          this.set({ pipeline, node, quantile: '0.99' }, s.p99Ms / 1000);
        }
    },
  });

  const stageGauge = (name: string, help: string, pick: (s: PipelineMetrics['stages'][string]) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['pipeline', 'stage'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pipeline, m] of snapshots())
          for (const [stage, s] of Object.entries(m.stages)) {
            const v = pick(s);
            if (v !== null) this.set({ pipeline, stage }, v);
          }
      },
    });
  stageGauge(
    'sluice_stage_backlog_events',
    'Work waiting for a stage: events in the embedded engine, batches (jobs) in its partition queues on BullMQ',
    (s) => s.backlog,
  );
  stageGauge('sluice_stage_watermark_lag_seconds', 'Wall clock minus the stage watermark', (s) => (s.watermarkLagMs === null ? null : s.watermarkLagMs / 1000));

  new Gauge({
    name: 'sluice_pipeline_running',
    help: '1 while the pipeline runs, 0 once it has ended (completed, stopped, failed)',
    labelNames: ['pipeline', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [pipeline, m] of snapshots()) this.set({ pipeline, status: m.status }, m.status === 'running' || m.status === 'starting' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'sluice_workers_live',
    help: 'BullMQ worker processes that sent a heartbeat in the last 5 s (absent on the embedded engine)',
    registers: [registry],
    async collect() {
      this.reset();
      const n = await deployments.liveWorkers().catch(() => undefined);
      if (n !== undefined) this.set(n);
    },
  });
  return registry;
}
