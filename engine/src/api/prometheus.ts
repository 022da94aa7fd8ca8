/**
 * `/metrics`: Prometheus text from the same snapshots as the SSE stream, collected at scrape
 * time into a dedicated registry (nothing of prom-client's global registry leaks in). Counts
 * restart from zero when a pipeline is redeployed, which Prometheus reads as a counter reset.
 * Families and labels: docs/operations.md; the alert rules and the Grafana dashboard in
 * deploy/ name only families served here (tests check both).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { NodeMetrics, PipelineMetrics, StageMetrics } from '@sluice/shared';
import type { Plan } from '../compile/plan.js';
import type { DeploymentManager } from '../deployments/deployment-manager.js';
import type { Histogram } from '../metrics/histogram.js';
import type { RunDetail } from '../metrics/run-detail.js';
import { BATCH_BOUNDS_S, EngineHistogram, LATENCY_BOUNDS_S } from './prometheus-histogram.js';
import { registerProcessMetrics } from './prometheus-process.js';

/** Every metric family is collected in the same scrape: take the snapshots once. */
const SNAPSHOT_TTL_MS = 250;

interface Scraped {
  pipeline: string;
  metrics: PipelineMetrics;
  detail: RunDetail | undefined;
}

/**
 * A stage's label: `<type>:<first node>` (`window:per_campaign`, `source.generator:ad_events`),
 * stable across redeploys that keep the node, unlike the plan's stage index.
 */
export function stageLabel(plan: Plan | undefined, stage: StageMetrics): string {
  const head = stage.nodes[0] ?? '';
  const type = plan?.nodes.get(head)?.type;
  return type ? `${type}:${head}` : head;
}

export function prometheusRegistry(deployments: DeploymentManager): Registry {
  const registry = new Registry();
  let cache: { at: number; data: Scraped[] } | undefined;
  const snapshots = () => {
    const now = Date.now();
    if (!cache || now - cache.at > SNAPSHOT_TTL_MS)
      // The runs this server coordinates: in a cluster only the leader exports pipeline series,
      // so sums over every scraped server count each run once (docs/multi-server.md).
      cache = { at: now, data: [...deployments.own()].map(([pipeline, h]) => ({ pipeline, metrics: h.metrics(), detail: h.detail?.() })) };
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
        for (const { pipeline, metrics } of snapshots())
          for (const [node, n] of Object.entries(metrics.nodes)) this.inc({ pipeline, node }, pick(n));
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
      for (const { pipeline, metrics } of snapshots())
        for (const [edge, e] of Object.entries(metrics.edges)) this.inc({ pipeline, edge }, e.events);
    },
  });

  const histogramSeries = (pick: (d: RunDetail) => ReadonlyMap<string, Histogram>) =>
    function* (): Generator<[Record<'pipeline' | 'node', string>, Histogram]> {
      for (const { pipeline, detail } of snapshots()) if (detail) for (const [node, h] of pick(detail)) yield [{ pipeline, node }, h];
    };
  new EngineHistogram({
    name: 'sluice_node_batch_duration_seconds',
    help: 'Time a node took to process a batch',
    labelNames: ['pipeline', 'node'],
    boundsS: BATCH_BOUNDS_S,
    registers: [registry],
    series: histogramSeries((d) => d.batch),
  });
  new EngineHistogram({
    name: 'sluice_sink_latency_seconds',
    help: 'End-to-end latency at a sink: sink time minus ingest time (sampled on large batches)',
    labelNames: ['pipeline', 'node'],
    boundsS: LATENCY_BOUNDS_S,
    registers: [registry],
    series: histogramSeries((d) => d.latency),
  });

  const stageGauge = (name: string, help: string, pick: (s: StageMetrics) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['pipeline', 'stage'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { pipeline, metrics, detail } of snapshots())
          for (const s of Object.values(metrics.stages)) {
            const v = pick(s);
            if (v !== null) this.set({ pipeline, stage: stageLabel(detail?.plan, s) }, v);
          }
      },
    });
  stageGauge(
    'sluice_stage_backlog_events',
    'Work waiting for a stage: events in the embedded engine, batches (jobs) in its partition queues on BullMQ',
    (s) => s.backlog,
  );
  stageGauge('sluice_stage_watermark_lag_seconds', 'Wall clock minus the stage watermark', (s) =>
    s.watermarkLagMs === null ? null : s.watermarkLagMs / 1000,
  );

  new Gauge({
    name: 'sluice_pipeline_running',
    help: '1 while the pipeline runs, 0 once it has ended (completed, stopped, failed)',
    labelNames: ['pipeline', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { pipeline, metrics } of snapshots())
        this.set({ pipeline, status: metrics.status }, metrics.status === 'running' || metrics.status === 'starting' ? 1 : 0);
    },
  });
  // Only where workers exist: an embedded server serving 0 would page SluiceNoWorkers.
  if (deployments.runnerKind === 'bullmq')
    new Gauge({
      name: 'sluice_workers_live',
      help: 'BullMQ worker processes that sent a heartbeat in the last 5 s (served by BullMQ servers only)',
      registers: [registry],
      async collect() {
        // Redis not answering reads as 0: no worker can take work without it either.
        this.set((await deployments.liveWorkers().catch(() => undefined)) ?? 0);
      },
    });
  registerProcessMetrics(registry, deployments.runnerKind);
  return registry;
}
