/**
 * A run's live numbers, in one place: node counters (summed over partitions), edge counts,
 * stage watermarks and backlog, sink latency. Snapshots feed the CLI, the SSE stream and
 * Prometheus alike.
 */
import type { PipelineMetrics, RunStatus, StageMetrics } from '@sluice/shared';
import type { Plan } from '../compile/plan.js';
import { Histogram } from './histogram.js';
import type { ErrorSample } from './error-samples.js';
import { NodeCounters, round3, samplesByNode } from './node-counters.js';
import type { RunHistograms } from './run-detail.js';

export class RunMetrics {
  private readonly nodes = new Map<string, NodeCounters>();
  private readonly edges = new Map<string, number>();
  private readonly sinks = new Map<string, Histogram>();
  private readonly watermarks = new Map<number, number[]>();
  private readonly backlog = new Map<number, number>();
  readonly startedAt: number;

  constructor(
    private readonly plan: Plan,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
    for (const id of plan.order) this.nodes.set(id, new NodeCounters());
    for (const e of plan.edges) this.edges.set(e.id, 0);
    for (const s of plan.stages) this.watermarks.set(s.id, new Array(s.partitions).fill(Number.NEGATIVE_INFINITY));
    for (const [id, n] of plan.nodes) if (n.isSink) this.sinks.set(id, new Histogram());
  }

  node(id: string): NodeCounters {
    return this.nodes.get(id)!;
  }

  sinkLatency(id: string): Histogram | undefined {
    return this.sinks.get(id);
  }

  edge(id: string, events: number): void {
    this.edges.set(id, (this.edges.get(id) ?? 0) + events);
  }

  setWatermark(stage: number, partition: number, watermark: number): void {
    this.watermarks.get(stage)![partition] = watermark;
  }

  setBacklog(stage: number, events: number): void {
    this.backlog.set(stage, events);
  }

  /** The histograms behind the snapshot's p50/p99, for Prometheus buckets. */
  histograms(): RunHistograms {
    return { batch: new Map([...this.nodes].map(([id, c]) => [id, c.batchTimes])), latency: this.sinks };
  }

  /** Each node's first distinct error messages with their counts; nodes without errors are left out. */
  errorSamples(): Record<string, ErrorSample[]> {
    return samplesByNode(this.nodes);
  }

  snapshot(status: RunStatus): PipelineMetrics {
    const at = this.now();
    const stages: Record<string, StageMetrics> = {};
    for (const s of this.plan.stages) {
      const wm = Math.min(...this.watermarks.get(s.id)!);
      const known = Number.isFinite(wm);
      stages[String(s.id)] = {
        nodes: s.nodes,
        partitions: s.partitions,
        backlog: this.backlog.get(s.id) ?? 0,
        watermark: known ? wm : null,
        watermarkLagMs: known ? Math.max(0, at - wm) : null,
      };
    }
    return {
      at,
      status,
      startedAt: this.startedAt,
      nodes: Object.fromEntries([...this.nodes].map(([id, c]) => [id, c.toMetrics()])),
      edges: Object.fromEntries([...this.edges].map(([id, n]) => [id, { events: n }])),
      stages,
      sinks: Object.fromEntries(
        [...this.sinks].map(([id, h]) => [id, { p50Ms: round3(h.quantile(0.5)), p99Ms: round3(h.quantile(0.99)), count: h.count }]),
      ),
    };
  }
}
