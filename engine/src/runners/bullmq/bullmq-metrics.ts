/**
 * Pipeline metrics in BullMQ mode: counters committed by tasks (exactly once, read with one
 * MGET) with their histograms, the coordinator's own source-stage counters, and queue depths as
 * backlog. Refreshed about once a second; snapshots read the cache.
 */
import type { RedisClient } from './redis-client.js';
import type { NodeMetrics, PipelineMetrics, RunStatus, StageMetrics } from '@sluice/shared';
import type { Plan } from '../../compile/plan.js';
import { Histogram } from '../../metrics/histogram.js';
import { type ErrorSample, mergeSamples } from '../../metrics/error-samples.js';
import { addCounts, emptyCounts, type NodeCounters, round3 } from '../../metrics/node-counters.js';
import type { RunHistograms } from '../../metrics/run-detail.js';
import type { RedisKeys } from './keys.js';
import type { QueueSet } from './queue-set.js';
import type { CountersSnapshot } from './task-state-store.js';

export class BullmqMetrics {
  private tasks: (CountersSnapshot | null)[] = [];
  private hist: { batch: Map<string, Histogram>; latency: Map<string, Histogram> } = { batch: new Map(), latency: new Map() };
  private backlog = new Map<number, number>();
  /** Set by a hot redeploy to the start of the run it continues. */
  startedAt = Date.now();
  private readonly taskList: { stage: number; partition: number }[] = [];

  constructor(
    private readonly pid: string,
    private readonly plan: Plan,
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly queues: QueueSet,
    /** Counters of the source stages, which run in the coordinator. */
    private readonly local: Map<string, NodeCounters>,
    private readonly localEdges: () => Record<string, number>,
    private readonly sourceWatermarks: () => Map<number, number>,
  ) {
    for (const s of plan.stages)
      if (s.source === undefined) for (let p = 0; p < s.partitions; p++) this.taskList.push({ stage: s.id, partition: p });
  }

  /** True when every task has seen the end of input. */
  allDone(): boolean {
    return this.tasks.length === this.taskList.length && this.tasks.every((t) => t?.done === true);
  }

  backlogOf(stage: number): number {
    return this.backlog.get(stage) ?? 0;
  }

  async refresh(): Promise<void> {
    const keys = this.taskList.map((t) => this.keys.taskCounters(this.pid, t.stage, t.partition));
    const values = keys.length > 0 ? await this.redis.mget(...keys) : [];
    this.tasks = values.map((v) => (v ? (JSON.parse(v) as CountersSnapshot) : null));
    const batch = new Map<string, Histogram>();
    const latency = new Map<string, Histogram>();
    for (const t of this.tasks) {
      for (const [id, s] of Object.entries(t?.hist?.batch ?? {})) mergeInto(batch, id, s);
      for (const [id, s] of Object.entries(t?.hist?.latency ?? {})) mergeInto(latency, id, s);
    }
    this.hist = { batch, latency };
    await this.refreshBacklog();
  }

  async refreshBacklog(stageFilter?: (stage: number) => boolean): Promise<void> {
    for (const s of this.plan.stages) {
      if (s.source !== undefined || (stageFilter && !stageFilter(s.id))) continue;
      let n = 0;
      for (let p = 0; p < s.partitions; p++) n += await this.queues.queue(s.id, p).getWaitingCount();
      this.backlog.set(s.id, n);
    }
  }

  /** The histograms behind the snapshot's p50/p99 (a node's batches run in the coordinator or in tasks). */
  histograms(): RunHistograms {
    const batch = new Map<string, Histogram>();
    for (const id of this.plan.order) {
      const local = this.local.get(id);
      const h = local && local.batchTimes.count > 0 ? local.batchTimes : this.hist.batch.get(id);
      if (h) batch.set(id, h);
    }
    return { batch, latency: this.hist.latency };
  }

  /** Each node's error samples over the coordinator's source stages and every task's last commit; nodes without any left out. */
  errorSamples(): Record<string, ErrorSample[]> {
    const out: Record<string, ErrorSample[]> = {};
    for (const id of this.plan.order) {
      const lists = [this.local.get(id)?.samples.list() ?? [], ...this.tasks.map((t) => t?.errors?.[id] ?? [])];
      const merged = mergeSamples(lists);
      if (merged.length > 0) out[id] = merged;
    }
    return out;
  }

  snapshot(status: RunStatus): PipelineMetrics {
    const at = Date.now();
    const nodes: Record<string, NodeMetrics> = {};
    for (const id of this.plan.order) {
      const n: NodeMetrics = { ...emptyCounts(), batchP50Ms: 0, batchP99Ms: 0 };
      const local = this.local.get(id);
      if (local) addCounts(n, local);
      for (const t of this.tasks) if (t?.nodes[id]) addCounts(n, t.nodes[id]);
      const h = local && local.batchTimes.count > 0 ? local.batchTimes : this.hist.batch.get(id);
      if (h) {
        n.batchP50Ms = round3(h.quantile(0.5));
        n.batchP99Ms = round3(h.quantile(0.99));
      }
      n.busyMs = round3(n.busyMs);
      nodes[id] = n;
    }
    const edges: Record<string, { events: number }> = {};
    const localEdges = this.localEdges();
    for (const e of this.plan.edges) {
      let events = localEdges[e.id] ?? 0;
      for (const t of this.tasks) events += t?.edges[e.id] ?? 0;
      edges[e.id] = { events };
    }
    const stages: Record<string, StageMetrics> = {};
    const sourceWms = this.sourceWatermarks();
    let i = 0;
    for (const s of this.plan.stages) {
      let wm = Number.POSITIVE_INFINITY;
      if (s.source !== undefined) wm = sourceWms.get(s.id) ?? Number.NEGATIVE_INFINITY;
      else
        for (let p = 0; p < s.partitions; p++, i++) {
          const t = this.tasks[i];
          wm = Math.min(wm, t?.done ? Number.POSITIVE_INFINITY : (t?.watermark ?? Number.NEGATIVE_INFINITY));
        }
      const known = Number.isFinite(wm);
      stages[String(s.id)] = {
        nodes: s.nodes,
        partitions: s.partitions,
        backlog: this.backlog.get(s.id) ?? 0,
        watermark: known ? wm : null,
        watermarkLagMs: known ? Math.max(0, at - wm) : null,
      };
    }
    const sinks: PipelineMetrics['sinks'] = {};
    for (const [id, node] of this.plan.nodes) {
      if (!node.isSink) continue;
      const h = this.hist.latency.get(id) ?? new Histogram();
      sinks[id] = { p50Ms: round3(h.quantile(0.5)), p99Ms: round3(h.quantile(0.99)), count: h.count };
    }
    return { at, status, startedAt: this.startedAt, nodes, edges, stages, sinks };
  }
}

function mergeInto(m: Map<string, Histogram>, id: string, sparse: [number, number][]): void {
  const h = Histogram.fromSparse(sparse);
  const prev = m.get(id);
  if (prev) prev.merge(h);
  else m.set(id, h);
}
