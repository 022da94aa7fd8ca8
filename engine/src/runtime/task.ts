/**
 * A task: one partition of one stage. It owns an operator instance per node of the stage,
 * pushes batches through the chained operators, and keeps the watermark of each input channel
 * (an upstream partition on an entering edge, or its source): the task's watermark is their min.
 */
import type { Event } from '@sluice/shared';
import type { Combiner, SinkOperator } from '@sluice/nodes/sdk';
import type { Plan, PlanEdge, PlanNode, PlanStage } from '../compile/plan.js';
import type { NodeInstance } from './node-instance.js';

export interface TaskOutput {
  /** Events leaving the stage on an exchange edge (`owned`: handed over, see Operator.process). */
  send(edge: PlanEdge, fromPartition: number, events: Event[], owned: boolean): void;
  /** The task's watermark advanced: forward it on every exchange edge leaving the stage. */
  sendWatermark(stage: PlanStage, fromPartition: number, watermark: number): void;
  /** Edge accounting and taps. */
  onEdge(edge: PlanEdge, events: Event[]): void;
  /**
   * Whether something keeps references to the events crossing `edge` (a data tap), so the next
   * operator must not change them. A runner without it hands no batch over: every operator copies.
   */
  keepsEvents?(edge: PlanEdge): boolean;
  /**
   * Whether anything sees the events crossing `edge` (a tap, the debugger), and the count of a
   * crossing nothing sees: with both, chained nodes run fused (fused-chain.ts).
   */
  observes?(edge: PlanEdge): boolean;
  countEdge?(edge: PlanEdge, events: number): void;
  /**
   * The exchange copies or serializes what it sends (BullMQ, partition threads): batches on
   * edges the plan marks `combine` go as partial rows (docs/combiner.md). Absent: a direct call
   * (one thread), where folding would cost what the window's own work costs.
   */
  readonly combines?: boolean;
}

export const SOURCE_CHANNEL = 'source';

export class Task {
  readonly instances = new Map<string, NodeInstance>();
  private readonly channels = new Map<string, number>();
  watermark = Number.NEGATIVE_INFINITY;
  /** Combiners of the exchange edges leaving the task, by edge id (edge-combiners.ts). */
  combiners: ReadonlyMap<string, Combiner> | undefined;

  constructor(
    readonly stage: PlanStage,
    readonly partition: number,
    private readonly output: TaskOutput,
    channelIds: readonly string[],
  ) {
    for (const c of channelIds) this.channels.set(c, Number.NEGATIVE_INFINITY);
  }

  static channelId(edgeId: string, fromPartition: number): string {
    return `${edgeId}#${fromPartition}`;
  }

  /** Deliver a batch to a node of this task (an entering edge); `owned`: handed over (Operator.process). */
  deliver(nodeId: string, port: string, events: Event[], owned = false): void {
    this.instances.get(nodeId)!.process(events, port, owned);
  }

  /**
   * Route what a node emitted: chained edges stay in this task, exchange edges leave it. A batch
   * stays owned only on a lone edge nothing else watches: at a fan-out every target shares it.
   */
  route = (node: PlanNode, port: string, events: Event[], owned: boolean): void => {
    const edges = node.outEdges.get(port);
    if (!edges) return;
    const out = this.output;
    const handOver = owned && edges.length === 1 && out.keepsEvents !== undefined;
    for (const edge of edges) {
      // Counted and tapped as events: partial rows exist only inside the exchange.
      out.onEdge(edge, events);
      const own = handOver && !out.keepsEvents!(edge);
      const combiner = edge.exchange ? this.combiners?.get(edge.id) : undefined;
      if (combiner !== undefined) out.send(edge, this.partition, combineAll(combiner, events), own);
      else if (edge.exchange) out.send(edge, this.partition, events, own);
      else this.instances.get(edge.target)!.process(events, edge.targetPort, own);
    }
  };

  /** A channel's watermark advanced; returns true when the task's watermark moved. */
  advance(channel: string, watermark: number): boolean {
    const prev = this.channels.get(channel);
    if (prev === undefined) throw new Error(`task ${this.stage.id}/${this.partition}: unknown channel ${channel}`);
    if (watermark <= prev) return false;
    this.channels.set(channel, watermark);
    let min = Number.POSITIVE_INFINITY;
    for (const w of this.channels.values()) if (w < min) min = w;
    if (min <= this.watermark) return false;
    this.watermark = min;
    for (const id of this.stage.nodes) this.instances.get(id)!.onWatermark(min);
    this.output.sendWatermark(this.stage, this.partition, min);
    return true;
  }

  channelWatermarks(): Record<string, number> {
    return Object.fromEntries(this.channels);
  }

  /** Sinks write out what they buffered (before a checkpoint or commit that covers it, and while a live run goes on). */
  async flushSinks(): Promise<void> {
    for (const inst of this.instances.values()) {
      if (!inst.node.isSink) continue;
      // The instance is the sink's collector: what the flush emits (undelivered events) goes on now.
      await (inst.op as SinkOperator | undefined)?.flush?.(inst);
      inst.flush();
    }
  }

  /** Close every operator (flush the sinks first where their output must not be lost). Sources are their runner's. */
  async closeOperators(): Promise<void> {
    for (const inst of this.instances.values()) await inst.op?.close?.();
  }

  /** Put back watermarks from a snapshot (a task resumed in another process). */
  restoreWatermarks(channels: Record<string, number>, watermark: number): void {
    for (const [c, w] of Object.entries(channels)) if (this.channels.has(c)) this.channels.set(c, w);
    this.watermark = watermark;
  }
}

/** A task's input channels: its source, or every upstream partition of every entering edge. */
export function taskChannels(plan: Plan, stage: PlanStage): string[] {
  if (stage.source !== undefined) return [SOURCE_CHANNEL];
  const ids: string[] = [];
  for (const e of stage.inputs) {
    const upstream = plan.stages[plan.nodes.get(e.source)!.stage]!;
    for (let p = 0; p < upstream.partitions; p++) ids.push(Task.channelId(e.id, p));
  }
  return ids;
}

/** Every event through the combiner: the partial rows and passed events to send instead. */
function combineAll(c: Combiner, events: readonly Event[]): Event[] {
  for (let i = 0; i < events.length; i++) if (!c.offer(events[i]!)) c.pass(events[i]!);
  return c.drain();
}
