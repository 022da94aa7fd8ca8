/**
 * Pipeline metrics in BullMQ mode: counters committed by tasks (exactly once) and by source
 * partitions with their checkpoints, read with one MGET, with their histograms, and queue
 * depths as backlog. Refreshed about once a second; snapshots read the cache. No pipeline data
 * passes through the coordinator: everything here comes from Redis.
 */
import type { RedisClient } from './redis-client.js';
import type { NodeMetrics, PipelineMetrics, RunStatus, StageMetrics } from '@sluice/shared';
import type { Plan } from '../../compile/plan.js';
import { Histogram } from '../../metrics/histogram.js';
import { type ErrorSample, mergeSamples } from '../../metrics/error-samples.js';
import { addCounts, emptyCounts, round3 } from '../../metrics/node-counters.js';
import type { RunHistograms } from '../../metrics/run-detail.js';
import type { RedisKeys } from './keys.js';
import type { QueueSet } from './queue-set.js';
import type { CountersSnapshot } from './task-state-store.js';

interface Part {
  stage: number;
  source: boolean;
  key: string;
}

const BACKLOG_EVERY_MS = 250;

export class BullmqMetrics {
  /** Per part (task or source partition), its last committed counters. */
  private counts: (CountersSnapshot | null)[] = [];
  private hist: { batch: Map<string, Histogram>; latency: Map<string, Histogram> } = { batch: new Map(), latency: new Map() };
  private backlog = new Map<number, number>();
  private backlogAt = 0;
  /** Set by a hot redeploy to the start of the run it continues. */
  startedAt = Date.now();
  private readonly parts: Part[] = [];

  constructor(
    pid: string,
    private readonly plan: Plan,
    private readonly redis: RedisClient,
    keys: RedisKeys,
    private readonly queues: QueueSet,
  ) {
    for (const s of plan.stages)
      for (let p = 0; p < s.partitions; p++)
        this.parts.push(
          s.source !== undefined
            ? { stage: s.id, source: true, key: keys.sourceCounters(pid, s.source, p) }
            : { stage: s.id, source: false, key: keys.taskCounters(pid, s.id, p) },
        );
  }

  /** True when every source partition and every task has seen the end of input. */
  allDone(): boolean {
    return this.counts.length === this.parts.length && this.counts.every((t) => t?.done === true);
  }

  /** True when every source partition has ended (a hot redeploy has nothing left to swap). */
  sourcesDone(): boolean {
    return this.counts.length === this.parts.length && this.parts.every((p, i) => !p.source || this.counts[i]?.done === true);
  }

  backlogOf(stage: number): number {
    return this.backlog.get(stage) ?? 0;
  }

  /** `backlog: 'due'`: queue depths only when BACKLOG_EVERY_MS have passed (the 20 ms completion watch). */
  async refresh(backlog: 'now' | 'due' = 'now'): Promise<void> {
    const values = this.parts.length > 0 ? await this.redis.mget(...this.parts.map((p) => p.key)) : [];
    this.counts = values.map((v) => (v ? (JSON.parse(v) as CountersSnapshot) : null));
    const batch = new Map<string, Histogram>();
    const latency = new Map<string, Histogram>();
    for (const t of this.counts) {
      for (const [id, s] of Object.entries(t?.hist?.batch ?? {})) mergeInto(batch, id, s);
      for (const [id, s] of Object.entries(t?.hist?.latency ?? {})) mergeInto(latency, id, s);
    }
    this.hist = { batch, latency };
    // The run's watch loop refreshes every 20 ms for completion; queue depths are only shown, so
    // they are asked at most every BACKLOG_EVERY_MS (a round trip per queue, and 8 workers make 9).
    if (backlog === 'now' || Date.now() - this.backlogAt >= BACKLOG_EVERY_MS) await this.refreshBacklog();
  }

  async refreshBacklog(): Promise<void> {
    this.backlogAt = Date.now();
    for (const s of this.plan.stages) {
      if (s.source !== undefined) continue;
      const depths = await Promise.all(Array.from({ length: s.partitions }, (_, p) => this.queues.queue(s.id, p).getWaitingCount()));
      this.backlog.set(
        s.id,
        depths.reduce((a, b) => a + b, 0),
      );
    }
  }

  /** The histograms behind the snapshot's p50/p99. */
  histograms(): RunHistograms {
    return { batch: this.hist.batch, latency: this.hist.latency };
  }

  /** Each node's error samples over every part's last commit; nodes without any left out. */
  errorSamples(): Record<string, ErrorSample[]> {
    const out: Record<string, ErrorSample[]> = {};
    for (const id of this.plan.order) {
      const merged = mergeSamples(this.counts.map((t) => t?.errors?.[id] ?? []));
      if (merged.length > 0) out[id] = merged;
    }
    return out;
  }

  snapshot(status: RunStatus): PipelineMetrics {
    const at = Date.now();
    const nodes: Record<string, NodeMetrics> = {};
    for (const id of this.plan.order) {
      const n: NodeMetrics = { ...emptyCounts(), batchP50Ms: 0, batchP99Ms: 0 };
      for (const t of this.counts) if (t?.nodes[id]) addCounts(n, t.nodes[id]);
      const h = this.hist.batch.get(id);
      if (h) {
        n.batchP50Ms = round3(h.quantile(0.5));
        n.batchP99Ms = round3(h.quantile(0.99));
      }
      n.busyMs = round3(n.busyMs);
      nodes[id] = n;
    }
    const edges: Record<string, { events: number }> = {};
    for (const e of this.plan.edges) {
      let events = 0;
      for (const t of this.counts) events += t?.edges[e.id] ?? 0;
      edges[e.id] = { events };
    }
    const stages: Record<string, StageMetrics> = {};
    const wms = new Map<number, number>();
    for (const [i, p] of this.parts.entries()) {
      const t = this.counts[i];
      const wm = t?.done ? Number.POSITIVE_INFINITY : (t?.watermark ?? Number.NEGATIVE_INFINITY);
      wms.set(p.stage, Math.min(wms.get(p.stage) ?? Number.POSITIVE_INFINITY, wm));
    }
    for (const s of this.plan.stages) {
      const wm = wms.get(s.id) ?? Number.NEGATIVE_INFINITY;
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
