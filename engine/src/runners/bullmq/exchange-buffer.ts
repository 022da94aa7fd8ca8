/**
 * Collects what a task sends across exchanges while it processes one input batch, then turns it
 * into jobs: one per (edge, target partition) that got events or needs the new watermark, each
 * with the next sequence number of its channel. Processing is deterministic, so a retried input
 * batch yields the same jobs with the same ids (BullMQ ignores an id it already has, and the
 * target skips a sequence number it already applied).
 */
import type { Event } from '@sluice/shared';
import { eventsOf } from '@sluice/nodes/sdk';
import type { Plan, PlanEdge, PlanStage } from '../../compile/plan.js';
import { exchangeFields } from '../../compile/projection.js';
import { keyPartitioner, type Partitioner } from '../../runtime/partitioner.js';
import type { TaskOutput } from '../../runtime/task.js';
import { type BatchJob, encodeEvents, encodeWatermark } from './batch-codec.js';

export interface OutgoingJob {
  targetStage: number;
  targetPartition: number;
  job: BatchJob;
}

/** Sequence numbers and last watermark sent, per outgoing channel; part of the committed state. */
export interface ExchangeState {
  seq: Record<string, number>;
  sentWm: Record<string, number>;
}

export class ExchangeBuffer implements TaskOutput {
  /** Jobs are serialized: combined edges send partial rows (docs/combiner.md). */
  readonly combines = true;
  /** Per channel: what goes in its next job; `stands`: the events it stands for (partial rows fold many). */
  private readonly pending = new Map<string, { edge: PlanEdge; to: number; events: Event[]; stands: number }>();
  private readonly outEdges: PlanEdge[];
  /** Fields shipped per edge (undefined: all). */
  private readonly projection = new Map<string, string[] | undefined>();
  private readonly partitioners = new Map<number, Partitioner>();
  /** Stages made of sinks only: a watermark alone is news to them only at the end of input. */
  private readonly sinkOnly = new Set<number>();
  private watermark = Number.NEGATIVE_INFINITY;
  edgeCounts: Record<string, number> = {};
  onTap: ((edgeId: string, events: Event[]) => void) | undefined;
  /** Stamped on every job (BatchJob.gen). */
  generation: string | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly stage: PlanStage,
    private readonly partition: number,
    public state: ExchangeState = { seq: {}, sentWm: {} },
  ) {
    this.outEdges = plan.edges.filter((e) => e.exchange && plan.nodes.get(e.source)!.stage === stage.id);
    for (const e of this.outEdges) this.projection.set(e.id, exchangeFields(plan, e));
    for (const s of plan.stages) {
      this.partitioners.set(s.id, keyPartitioner(s.keyBy ?? [], s.partitions));
      if (s.nodes.every((id) => plan.nodes.get(id)!.isSink)) this.sinkOnly.add(s.id);
    }
  }

  send(edge: PlanEdge, _from: number, events: Event[]): void {
    const target = this.targetStage(edge);
    if (target.partitions === 1) {
      this.append(edge, 0, events);
      return;
    }
    const partition = this.partitioners.get(target.id)!;
    const parts: Event[][] = Array.from({ length: target.partitions }, () => []);
    for (const e of events) parts[partition(e)]!.push(e);
    for (let q = 0; q < parts.length; q++) if (parts[q]!.length > 0) this.append(edge, q, parts[q]!);
  }

  sendWatermark(_stage: PlanStage, _from: number, watermark: number): void {
    this.watermark = watermark;
  }

  onEdge(edge: PlanEdge, events: Event[]): void {
    this.edgeCounts[edge.id] = (this.edgeCounts[edge.id] ?? 0) + events.length;
    this.onTap?.(edge.id, events);
  }

  /** The jobs for everything buffered since the last drain; advances the channel sequences. */
  drain(): OutgoingJob[] {
    const jobs: OutgoingJob[] = [];
    for (const edge of this.outEdges) {
      const target = this.targetStage(edge);
      for (let q = 0; q < target.partitions; q++) {
        const ch = `${edge.id}#${this.partition}>${q}`;
        const pending = this.pending.get(ch);
        const wmMoved = this.watermark > (this.state.sentWm[ch] ?? Number.NEGATIVE_INFINITY);
        if (!pending && !wmMoved) continue;
        // No heartbeat to a stage of sinks (one job per upstream job, each a claim and a commit,
        // for nothing): the watermark rides on its next events, or goes alone at the end.
        if (!pending && this.sinkOnly.has(target.id) && this.watermark !== Number.POSITIVE_INFINITY) continue;
        const seq = (this.state.seq[ch] ?? 0) + 1;
        this.state.seq[ch] = seq;
        if (wmMoved) this.state.sentWm[ch] = this.watermark;
        const job: BatchJob = {
          edge: edge.id,
          from: this.partition,
          to: q,
          seq,
          wm: encodeWatermark(Math.max(this.watermark, this.state.sentWm[ch] ?? Number.NEGATIVE_INFINITY)),
          ...encodeEvents(pending?.events ?? [], this.projection.get(edge.id)),
        };
        if (pending && pending.stands !== pending.events.length) job.e = pending.stands;
        if (this.generation !== undefined) job.gen = this.generation;
        jobs.push({ targetStage: target.id, targetPartition: q, job });
      }
    }
    this.pending.clear();
    return jobs;
  }

  private append(edge: PlanEdge, to: number, events: Event[]): void {
    const ch = `${edge.id}#${this.partition}>${to}`;
    const p = this.pending.get(ch);
    const stands = edge.combine ? eventsOf(events) : events.length;
    if (p) {
      for (const e of events) p.events.push(e);
      p.stands += stands;
    } else this.pending.set(ch, { edge, to, events: [...events], stands });
  }

  private targetStage(edge: PlanEdge): PlanStage {
    return this.plan.stages[this.plan.nodes.get(edge.target)!.stage]!;
  }
}
