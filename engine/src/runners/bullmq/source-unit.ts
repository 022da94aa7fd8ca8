/**
 * One source partition run by the worker holding its lease (source-host.ts): built from its
 * checkpoint, it polls, routes through the chained operators, enqueues the batch jobs and
 * checkpoints, fenced by the lease (docs/source-partitions.md). It stops three ways: `release`
 * (checkpoint, close, then the host releases the lease: a handover, a SIGTERM, a paused or
 * stopped run), `lost` (the lease was taken over: it writes nothing more and closes), or by
 * itself when the partition has ended (its last checkpoint marks the lease done).
 */
import type { Event } from '@sluice/shared';
import type { Operator, SourceOperator } from '@sluice/nodes/sdk';
import type { EdgeTally } from '../../alerts/worker-edge-tally.js';
import type { Plan, PlanStage } from '../../compile/plan.js';
import { NodeCounters } from '../../metrics/node-counters.js';
import { StartFailure } from '../../runtime/node-errors.js';
import { buildOperators, settleStarts } from '../../runtime/operator-build.js';
import type { ContextOptions } from '../../runtime/operator-context.js';
import { routeSourceBatch } from '../../runtime/source-step.js';
import { SOURCE_CHANNEL } from '../../runtime/task.js';
import type { BacklogGauge } from './backlog-gauge.js';
import { ExchangeBuffer } from './exchange-buffer.js';
import { confirmedBy, type QueueSet } from './queue-set.js';
import { sleep } from './queue-drain.js';
import { ALIGNMENT_WAIT_MS, type PartitionAlignment } from './partition-alignment.js';
import { LeaseLost, type SourceCheckpoints } from './source-checkpoints.js';
import { checkpointOf, keepBatch, pollBatch, restoreSlot, type SourceSlot } from './source-slot.js';

export interface SourceUnitOptions {
  plan: Plan;
  stage: PlanStage;
  partition: number;
  generation: string;
  /** The lease value this holder writes under. */
  lease: string;
  context: ContextOptions;
  checkpoints: SourceCheckpoints;
  queues: QueueSet;
  backlog: BacklogGauge;
  batchSize: number;
  batchDelayMs: number;
  onTap?: ((edgeId: string, events: Event[]) => void) | undefined;
  /** Replacement sources and operators (a preview or benchmark run whose sources stay on the coordinator). */
  sourceOverrides?: Record<string, () => SourceOperator> | undefined;
  operatorOverrides?: Record<string, () => Operator> | undefined;
  onSourceEvents?: ((nodeId: string, events: readonly Event[]) => void) | undefined;
  /** Before each checkpoint (the recording of what was read is written out first). */
  beforeCheckpoint?: (() => Promise<void>) | undefined;
  /** Data rules' counters of this partition's edges, published before each checkpoint (docs/alerts.md). */
  tally?: EdgeTally | undefined;
  /** Counts every poll (tests prove which process reads sources). */
  onPoll?: () => void;
  /** Watermark alignment with the node's other partitions (absent: none). */
  alignment?: PartitionAlignment | undefined;
  /** Tests: awaited before each poll (holds a partition back), and told of each wait for alignment. */
  beforePoll?: (() => Promise<void>) | undefined;
  onAlignmentWait?: (() => void) | undefined;
  /** Throws LeaseLost unless this holder still holds the lease, confirmed promptly (source-lease.ts confirmHeld). */
  confirmLease: () => Promise<void>;
}

export type StopMode = 'release' | 'lost';

export class SourceUnit {
  private stopMode: StopMode | undefined;
  private closed = false;
  /** A checkpoint was written or tried: a fresh start may have been committed with it. */
  private checkpointTried = false;
  /** The last poll got fewer events than asked (published with the checkpoint for alignment). */
  private idle = false;

  private constructor(
    private readonly o: SourceUnitOptions,
    private readonly slot: SourceSlot,
    private readonly counters: Map<string, NodeCounters>,
    private resend: number | undefined,
    /** Operators that started fresh: their start is committed by this unit's first checkpoint. */
    private unsettled: Operator[],
  ) {}

  get nodeId(): string {
    return this.slot.nodeId;
  }

  /** Build the partition's operators and restore it from its checkpoint; throws a StartFailure naming the node. */
  static async open(o: SourceUnitOptions): Promise<SourceUnit> {
    const { plan, stage, partition } = o;
    const nodeId = stage.source!;
    const cp = await o.checkpoints.read(nodeId, partition);
    const counters = new Map(stage.nodes.map((id) => [id, new NodeCounters()]));
    const state = new Map(Object.entries(cp?.operators ?? {}).map(([id, s]) => [`${id}#${partition}`, s]));
    const exchange = new ExchangeBuffer(plan, stage, partition);
    const { onTap, tally } = o;
    exchange.onTap = tally
      ? (edgeId, events) => {
          onTap?.(edgeId, events);
          tally.observe(edgeId, events);
        }
      : onTap;
    exchange.generation = o.generation;
    const { task, source, fresh } = await buildOperators(
      {
        context: o.context,
        sourceOverrides: o.sourceOverrides,
        operatorOverrides: o.operatorOverrides,
        carry: { state, sources: new Map() },
        // Another worker may build this partition too (a lease taken over while this one was
        // paused): a start acts on what others see only once its checkpoint is accepted.
        settlesStarts: true,
      },
      (build) => build.task(plan, stage, partition, exchange, (node) => ({ counters: counters.get(node.id)! })),
    );
    if (!source) throw new StartFailure(nodeId, `stage ${stage.id} has no source`);
    const slot: SourceSlot = { ...source, stage, task, exchange, done: false };
    try {
      if (cp) await restoreSlot(slot, cp, counters);
    } catch (err) {
      await closeSlot(slot);
      throw new StartFailure(nodeId, err);
    }
    return new SourceUnit(o, slot, counters, cp?.resend, fresh);
  }

  /** Ask the loop to stop after the batch in hand (`release`) or at once, writing nothing (`lost`). */
  stop(mode: StopMode): void {
    if (this.stopMode !== 'lost') this.stopMode = mode;
  }

  /** The loop: until the partition ends or a stop. Resolves once the slot is closed; 'release' means the lease may be released. */
  async run(): Promise<'done' | 'release' | 'lost'> {
    const { o, slot } = this;
    try {
      if (this.resend !== undefined) await this.sendAgain(this.resend);
      while (this.stopMode === undefined) {
        if (slot.done) {
          await this.checkpoint();
          return 'done';
        }
        if (await o.backlog.over()) {
          await sleep(10);
          continue;
        }
        // Ahead of the slowest reading peer by more than the drift: keep the lease, read later.
        if (o.alignment && !(await o.alignment.mayPoll(o.partition, slot.task.watermark))) {
          o.onAlignmentWait?.();
          await sleep(ALIGNMENT_WAIT_MS);
          continue;
        }
        const read = await this.step();
        if (read === 'lost') break;
        if (slot.done) return 'done';
        if (read.events < o.batchSize) await sleep(o.batchDelayMs);
      }
      if (this.stopMode === 'release') await this.sendWhatWasTaken();
      if (slot.done && this.stopMode === 'release') return 'done';
      // Not while an interrupted batch waits to be re-read: the checkpoint holding its pending
      // mark stays, so whoever resumes re-reads that exact batch.
      if (this.stopMode === 'release' && slot.replay === undefined) await this.checkpoint();
      return this.stopMode ?? 'release';
    } finally {
      await this.close();
    }
  }

  /**
   * One batch: poll, route through the chained operators, mark it pending, enqueue its jobs and
   * checkpoint. Returns how many events and records (events and errors) it read, or 'lost'
   * (the lease went during the poll).
   */
  private async step(): Promise<{ events: number; records: number } | 'lost'> {
    const { o, slot } = this;
    await o.beforePoll?.();
    const from = slot.source.position?.();
    o.onPoll?.();
    const batch = await pollBatch(slot, o.batchSize, () => this.stopMode === 'lost');
    if (this.stopMode === 'lost') return 'lost';
    const records = batch.events.length + (batch.errors?.length ?? 0);
    // Packed before routing, which may change owned events in place.
    const kept = slot.source.replayable === false && records > 0 ? keepBatch(batch) : undefined;
    routeSourceBatch(slot.instance, slot.task, batch, (events) => o.onSourceEvents?.(slot.nodeId, events));
    if (batch.done) slot.done = true;
    const idle = batch.events.length < o.batchSize && !batch.done;
    // Peers learn a change from the checkpoint: an empty poll that makes it idle writes one.
    const idleChanged = idle !== this.idle && o.alignment?.active === true;
    this.idle = idle;
    await slot.task.flushSinks();
    const jobs = slot.exchange.drain();
    // Fenced: a holder that lost its lease stops here, before its jobs go out. The pending
    // mark's script also found the run marker: the enqueue needs no check of its own.
    let markerSeenAt: number | undefined;
    if (jobs.length > 0 && from !== undefined) {
      markerSeenAt = Date.now();
      await o.checkpoints.markPending(
        slot.nodeId,
        o.partition,
        slot.last,
        { from, records, watermark: batch.watermark, done: batch.done, ...(kept ? { kept } : {}) },
        o.lease,
      );
    }
    // A source without positions has no pending mark to fence its enqueue: the lease is
    // confirmed instead, just before the jobs go out.
    else if (jobs.length > 0) await o.confirmLease();
    // The checkpoint's script asks the run marker after the jobs landed (QueueSet.addUnconfirmed).
    const landed = await o.queues.addUnconfirmed(jobs, markerSeenAt);
    o.backlog.add(jobs.length);
    // Also after a batch that sent nothing on: a sink chained here may have written it.
    if (jobs.length > 0 || records > 0 || batch.done || idleChanged) await confirmedBy(landed, () => this.checkpoint());
    return { events: batch.events.length, records };
  }

  /**
   * A clean let-go of a source that stops reading (a queue: its unread deliveries would be
   * requeued to the other consumers, behind what they already read, and come out late): send
   * what it had taken, an interrupted batch first, until a poll is empty. Bounded by what the
   * source holds (a queue's prefetch); backpressure does not hold it back.
   */
  private async sendWhatWasTaken(): Promise<void> {
    const { slot } = this;
    if (!slot.source.stopReading || slot.done) return;
    await slot.source.stopReading();
    while (this.stopMode === 'release' && !slot.done) {
      const read = await this.step();
      if (read === 'lost' || read.records === 0) return;
    }
  }

  /** After a hot redeploy: the partition's watermark (its end, when it had ended) again, through the new plan's stages. */
  private async sendAgain(watermark: number): Promise<void> {
    const { slot } = this;
    slot.task.restoreWatermarks({ [SOURCE_CHANNEL]: Number.NEGATIVE_INFINITY }, Number.NEGATIVE_INFINITY);
    slot.task.advance(SOURCE_CHANNEL, watermark);
    await slot.task.flushSinks();
    const jobs = slot.exchange.drain();
    if (jobs.length > 0) await this.o.queues.add(jobs);
    this.resend = undefined;
    await this.checkpoint();
  }

  private async checkpoint(): Promise<void> {
    const { o, slot } = this;
    await o.beforeCheckpoint?.();
    await o.tally?.end(slot.exchange.edgeCounts);
    const cp = checkpointOf(slot, this.counters, slot.task.watermark, slot.done);
    if (this.idle) cp.idle = true;
    this.checkpointTried = true;
    try {
      await o.checkpoints.write(slot.nodeId, o.partition, cp, o.lease, `done:${o.generation}`);
    } catch (err) {
      // Refused: another holder's start is the one that counts.
      if (err instanceof LeaseLost) settleStarts(this.takeUnsettled(), false);
      throw err;
    }
    if (this.unsettled.length > 0) settleStarts(this.takeUnsettled(), true);
    slot.last = cp;
    if (cp.position !== undefined) await slot.source.onCheckpoint?.(cp.position);
  }

  private takeUnsettled(): Operator[] {
    const ops = this.unsettled;
    this.unsettled = [];
    return ops;
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // No checkpoint was tried, so this start was never committed: its effects go. (After a
    // failed one it may have landed: then it is left for whoever restores it.)
    if (!this.checkpointTried) settleStarts(this.takeUnsettled(), false);
    await closeSlot(this.slot);
  }
}

async function closeSlot(slot: SourceSlot): Promise<void> {
  try {
    await slot.source.close?.();
  } finally {
    await slot.task.closeOperators();
  }
}
