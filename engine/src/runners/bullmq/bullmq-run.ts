/**
 * The coordinator of one pipeline in BullMQ mode (in the server, or in `sluice run --engine
 * bullmq`). It runs the source stages itself (a source and its chained stateless operators),
 * sends their output as batch jobs to the keyed stages' partition queues, checkpoints each
 * source's position with the channel sequence numbers (so a restarted coordinator resumes
 * without loss or duplicates), pauses sources while downstream backlog is above the high-water
 * mark, and completes when every task has seen the end of input.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-client.js';
import { type NodeCounts, paramValues, type PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { buildPlan, type Plan } from '../../compile/plan.js';
import { diffPlans } from '../../compile/redeploy-diff.js';
import { ErrorSamples } from '../../metrics/error-samples.js';
import { copyCounts, NodeCounters, samplesByNode } from '../../metrics/node-counters.js';
import { buildOperators } from '../../runtime/operator-build.js';
import { routeSourceBatch } from '../../runtime/source-step.js';
import { SOURCE_CHANNEL } from '../../runtime/task.js';
import type { TapListener } from '../../runtime/taps.js';
import { BULLMQ_BATCH_SIZE, HotSwapRefused, RUN_DEFAULTS, type RunOptions } from '../runner.js';
import { type PendingSwap, RunLifecycle } from '../shared/run-lifecycle.js';
import { BullmqMetrics } from './bullmq-metrics.js';
import type { DeployedPipeline } from './deployed-pipeline.js';
import { ExchangeBuffer } from './exchange-buffer.js';
import { collectTask, emptyOldState, freshTaskSnapshot, newTaskState } from './hot-swap-state.js';
import type { RedisKeys } from './keys.js';
import { cleanupPipeline, sweepAfterRelease } from './pipeline-cleanup.js';
import { drainQueues, sleep, waitDrained } from './queue-drain.js';
import { QueueSet } from './queue-set.js';
import { RunMarker } from './run-marker.js';
import { type SourceCheckpoint, SourceCheckpoints } from './source-checkpoints.js';
import { StartFailureWatch } from './start-failure-report.js';
import { checkpointOf, pollBatch, restoreSlot, type SourceSlot, type SwapCarry } from './source-slot.js';
import { TapSubscriber } from './remote-taps.js';
import { type TaskSnapshot, TaskStateStore } from './task-state-store.js';

/** How long a hot redeploy waits for the queues to drain before it gives up (and the deploy restarts instead). */
const SWAP_DRAIN_MS = 60_000;
/** How long a stop lets queued batches be processed before it removes them (RunResult.discarded). */
const STOP_DRAIN_MS = 10_000;

export interface BullmqRunOptions extends RunOptions {
  redisUrl: string;
  /** Keep state and queues of an earlier deploy of the same generation (server restart). */
  resume?: DeployedPipeline;
  /** Backlog (jobs waiting in one partition queue) above which sources pause. */
  highWaterJobs?: number;
  /** How long a stop lets queued batches be processed before removing them. */
  stopDrainMs?: number;
  /** Written into the deployment (DeployedPipeline.ephemeral): nobody resumes this run. */
  ephemeral?: boolean;
}

export class BullmqRun extends RunLifecycle {
  private detaching = false;
  private sources: SourceSlot[] = [];
  private counters = new Map<string, NodeCounters>();
  private readonly remoteTaps: TapSubscriber;
  private readonly queues: QueueSet;
  private readonly checkpoints: SourceCheckpoints;
  private readonly marker: RunMarker;
  private readonly startFailures: StartFailureWatch;
  protected metricsState: BullmqMetrics;
  private deployed!: DeployedPipeline;
  private metricsTimer: NodeJS.Timeout | undefined;
  /** The source loop has returned: a swap now would find nothing to pause. */
  private sourcesEnded = false;

  constructor(
    private document: PipelineDocument,
    protected plan: Plan,
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: BullmqRunOptions,
  ) {
    super(options.pipelineId ?? document.id ?? 'pipeline');
    this.queues = new QueueSet(options.redisUrl, keys, this.pipelineId);
    this.checkpoints = new SourceCheckpoints(redis, keys, this.pipelineId);
    this.marker = new RunMarker(redis, keys, this.pipelineId);
    this.startFailures = new StartFailureWatch(redis, keys, this.pipelineId);
    this.remoteTaps = new TapSubscriber(redis, keys, this.pipelineId);
    for (const id of plan.order) this.counters.set(id, new NodeCounters());
    this.metricsState = this.newMetrics(plan, this.counters);
  }

  private newMetrics(plan: Plan, counters: Map<string, NodeCounters>): BullmqMetrics {
    return new BullmqMetrics(
      this.pipelineId,
      plan,
      this.redis,
      this.keys,
      this.queues,
      counters,
      () => this.localEdgeCounts(),
      () => new Map(this.sources.map((s) => [s.stage.id, s.done ? Number.POSITIVE_INFINITY : s.task.watermark])),
    );
  }

  async start(): Promise<void> {
    const pid = this.pipelineId;
    const params = { ...paramValues(this.document), ...this.options.params };
    this.deployed = this.options.resume ?? {
      pid,
      generation: randomUUID(),
      document: this.document,
      baseDir: this.options.baseDir,
      ...(this.options.fileRoots ? { fileRoots: this.options.fileRoots } : {}),
      params,
      partitions: this.options.partitions ?? RUN_DEFAULTS.partitions,
      batchSize: this.options.batchSize ?? BULLMQ_BATCH_SIZE,
      ephemeral: this.options.ephemeral ?? false,
    };
    if (!this.options.resume) {
      await cleanupPipeline(this.redis, this.keys, pid, this.plan, this.queues);
      await this.marker.write(this.deployed.generation);
    } else await this.marker.check(); // a deploy without its marker: RedisClient lost part of it
    for (const s of this.plan.stages) {
      if (s.source !== undefined) continue;
      for (let p = 0; p < s.partitions; p++) await this.queues.queue(s.id, p).setGlobalConcurrency(1);
    }
    await this.redis.set(this.keys.pipeline(pid), JSON.stringify(this.deployed));
    await this.redis.sadd(this.keys.pipelines, pid);
    await this.redis.publish(this.keys.deploys, pid);
    // A resumed run gets its source stages' operator state back (restored, not started afresh).
    const checkpoints = new Map<string, SourceCheckpoint>();
    const restored: SwapCarry = { state: new Map(), sources: new Map() };
    if (this.options.resume) {
      for (const s of this.plan.stages) {
        if (s.source === undefined) continue;
        const cp = await this.checkpoints.read(s.source);
        if (!cp) continue;
        checkpoints.set(s.source, cp);
        for (const [id, op] of Object.entries(cp.operators ?? {})) restored.state.set(`${id}#0`, op);
      }
    }
    this.sources = await this.buildSources(this.plan, this.deployed, this.counters, restored);
    for (const slot of this.sources) {
      const cp = checkpoints.get(slot.nodeId);
      if (cp) await restoreSlot(slot, cp, this.counters);
    }
    this.metricsTimer = setInterval(() => void this.metricsState.refresh().catch(() => undefined), 1000);
    this.startLoop(
      () => this.coordinate(),
      () => (this.detaching ? 'running' : this.stopping ? 'stopped' : 'completed'),
    );
  }

  /** The sources until they end or the run stops, then the workers until they are done (or a stop's drain). */
  private async coordinate(): Promise<void> {
    try {
      await this.runSources();
    } finally {
      this.sourcesEnded = true;
      this.refuseSwaps('every source has ended or the run is stopping: nothing left to swap between batches');
    }
    if (this.detaching) return;
    if (!this.stopping) await this.awaitCompletion();
    // A stop, before or after the sources ended: drain what is queued, within the bound.
    if (this.stopping && !this.detaching)
      this.discarded = await drainQueues(this.plan, this.queues, this.options.stopDrainMs ?? STOP_DRAIN_MS);
  }

  /**
   * The source stages' operators (they run here). With `carry` (a hot redeploy) kept sources are
   * reused and kept nodes get their state back; on failure what was created is closed again.
   */
  private buildSources(
    plan: Plan,
    deployed: DeployedPipeline,
    counters: Map<string, NodeCounters>,
    carry?: SwapCarry,
  ): Promise<SourceSlot[]> {
    const context = {
      baseDir: deployed.baseDir,
      ...(deployed.fileRoots ? { fileRoots: deployed.fileRoots } : {}),
      params: deployed.params,
      now: this.options.now ?? Date.now,
      ...(this.options.ingest ? { ingest: { hub: this.options.ingest, pipelineId: this.pipelineId } } : {}),
    };
    return buildOperators({ context, sourceOverrides: this.options.sourceOverrides, carry }, async (build) => {
      const slots: SourceSlot[] = [];
      for (const stage of plan.stages) {
        if (stage.source === undefined) continue;
        const exchange = new ExchangeBuffer(plan, stage, 0);
        exchange.onTap = (edgeId, events) => this.taps.active && this.taps.emit(edgeId, events);
        exchange.generation = deployed.generation;
        const { task, source } = await build.task(plan, stage, 0, exchange, (node) => ({ counters: counters.get(node.id)! }));
        if (!source) throw new Error(`stage ${stage.id} has no source`);
        slots.push({ ...source, stage, task, exchange, done: carry?.sources.get(source.nodeId)?.done ?? false });
      }
      return slots;
    });
  }

  private async checkpoint(slot: SourceSlot): Promise<void> {
    await this.writeCheckpoint(slot, this.counters, slot.task.watermark, slot.done);
  }

  private async writeCheckpoint(slot: SourceSlot, from: Map<string, NodeCounters>, watermark: number, done: boolean): Promise<void> {
    const cp = checkpointOf(slot, from, watermark, done);
    await this.checkpoints.write(slot.nodeId, cp);
    slot.last = cp;
    if (cp.position !== undefined) await slot.source.onCheckpoint?.(cp.position);
  }

  private async runSources(): Promise<void> {
    const batchSize = this.deployed.batchSize;
    const delay = this.options.batchDelayMs ?? RUN_DEFAULTS.batchDelayMs;
    const highWater = this.options.highWaterJobs ?? 50;
    let lastBacklogCheck = 0;
    let addedSinceCheck = 0;
    while (!this.stopping) {
      if (await this.applyPendingSwap()) continue;
      const active = this.sources.filter((s) => !s.done);
      if (active.length === 0) return;
      // Re-read queue depths every 100 ms, or sooner when we may have added a high-water's worth.
      if (performance.now() - lastBacklogCheck > 100 || addedSinceCheck >= highWater) {
        lastBacklogCheck = performance.now();
        addedSinceCheck = 0;
        // An idle source writes no checkpoint: this is where it hears that Redis lost the run.
        await this.marker.checkNowAndThen();
        await this.startFailures.checkNowAndThen(this.deployed.generation);
        await this.metricsState.refreshBacklog();
        if (this.maxQueueBacklog() > highWater) {
          await sleep(10);
          lastBacklogCheck = 0;
          continue;
        }
      }
      let starved = 0;
      for (const slot of active) {
        const from = slot.source.position?.();
        const batch = await pollBatch(slot, batchSize, () => this.stopping);
        const records = batch.events.length + (batch.errors?.length ?? 0);
        routeSourceBatch(slot.instance, slot.task, batch, (events) => this.options.onSourceEvents?.(this.pipelineId, slot.nodeId, events));
        if (batch.done) slot.done = true;
        await slot.task.flushSinks();
        const jobs = slot.exchange.drain();
        if (jobs.length > 0 && from !== undefined) await this.checkpoints.markPending(slot.nodeId, slot.last, from, records);
        if (jobs.length > 0) await this.queues.add(jobs);
        addedSinceCheck += jobs.length;
        // Also after a batch that sent nothing on: a sink chained here may have written it.
        if (jobs.length > 0 || records > 0 || batch.done) await this.checkpoint(slot);
        if (!batch.done && batch.events.length < batchSize) starved++;
      }
      if (starved === active.length) await sleep(delay);
    }
  }

  /**
   * Hot redeploy (docs/hot-redeploy.md). Called by the source loop between batches: sources are
   * paused, every batch already sent is applied and committed (queues drained), the old state is
   * re-cut along the new plan's stages, the old queues emptied, and the new definition published
   * with a new generation (workers switch to it; a batch of the new generation is refused by a
   * worker still on the old one). Kept sources then re-send their watermark and carry on.
   */
  protected async applySwap(swap: PendingSwap): Promise<void> {
    const pid = this.pipelineId;
    const before = this.plan;
    const after = swap.plan;
    const diff = diffPlans(before, after);
    const kept = new Set(diff.kept);
    if (!(await waitDrained(before, this.queues, SWAP_DRAIN_MS, () => this.stopping))) {
      swap.reject(new HotSwapRefused(this.stopping ? 'the run is stopping' : `the queues did not drain within ${SWAP_DRAIN_MS / 1000} s`));
      return;
    }
    // The old plan's state: the coordinator's source stages, then every task in Redis.
    const store = new TaskStateStore(this.redis, this.keys);
    const old = emptyOldState();
    for (const slot of this.sources) {
      const operators: TaskSnapshot['operators'] = {};
      const nodes: Record<string, NodeCounts> = {};
      for (const [id, inst] of slot.task.instances) {
        if (inst.op) operators[id] = inst.state.snapshot();
        nodes[id] = copyCounts(this.counters.get(id)!);
      }
      const errors = samplesByNode(slot.stage.nodes.map((id) => [id, this.counters.get(id)!] as const));
      collectTask(
        old,
        slot.stage.nodes,
        0,
        { operators, counters: { nodes, edges: slot.exchange.edgeCounts, watermark: null, done: false, errors } },
        kept,
      );
    }
    for (const s of before.stages) {
      if (s.source !== undefined) continue;
      for (let p = 0; p < s.partitions; p++) {
        const { snapshot } = await store.load(pid, s.id, p);
        if (snapshot) collectTask(old, s.nodes, p, snapshot, kept);
      }
    }
    // The new source stages, built before anything in Redis changes: a failure leaves the old run as it was.
    const deployed: DeployedPipeline = {
      ...this.deployed,
      generation: randomUUID(),
      document: swap.document,
      params: { ...paramValues(swap.document), ...swap.options.params },
      partitions: swap.options.partitions ?? this.deployed.partitions,
      batchSize: swap.options.batchSize ?? this.deployed.batchSize,
    };
    const counters = new Map(after.order.map((id) => [id, new NodeCounters()]));
    const carry: SwapCarry = { state: new Map(), sources: new Map() };
    for (const slot of this.sources) if (kept.has(slot.nodeId)) carry.sources.set(slot.nodeId, slot);
    const localCarried = new Map<number, ReturnType<typeof newTaskState>>();
    for (const s of after.stages) {
      if (s.source === undefined) continue;
      const c = newTaskState(before, after, old, s.id, 0);
      localCarried.set(s.id, c);
      for (const [id, op] of Object.entries(c?.operators ?? {})) carry.state.set(`${id}#0`, op);
      for (const [id, n] of Object.entries(c?.counters.nodes ?? {})) Object.assign(counters.get(id)!, n);
      for (const [id, list] of Object.entries(c?.counters.errors ?? {})) counters.get(id)!.samples = new ErrorSamples(list);
    }
    let slots: SourceSlot[];
    try {
      slots = await this.buildSources(after, deployed, counters, carry);
    } catch (err) {
      swap.reject(err);
      return;
    }
    for (const slot of slots) slot.exchange.edgeCounts = { ...(localCarried.get(slot.stage.id)?.counters.edges ?? {}) };
    // Redis: the old queues (and the ids of their completed jobs) and task state go, the carried
    // state comes in; kept sources' checkpoints restart their channels (a coordinator restarted
    // from here re-reads nothing and re-sends its watermark); the new definition goes last.
    for (const s of before.stages) {
      if (s.source !== undefined) continue;
      for (let p = 0; p < s.partitions; p++) {
        await this.queues.queue(s.id, p).obliterate({ force: true });
        await store.replace(pid, s.id, p, undefined);
      }
    }
    for (const s of after.stages) {
      if (s.source !== undefined) continue;
      for (let p = 0; p < s.partitions; p++) {
        const c = newTaskState(before, after, old, s.id, p);
        if (c) await store.replace(pid, s.id, p, freshTaskSnapshot(c));
        await this.queues.queue(s.id, p).setGlobalConcurrency(1);
      }
    }
    for (const slot of this.sources) if (!carry.sources.has(slot.nodeId)) await this.checkpoints.remove(slot.nodeId);
    for (const slot of slots)
      if (carry.sources.has(slot.nodeId)) await this.writeCheckpoint(slot, counters, Number.NEGATIVE_INFINITY, false);
    await this.redis.set(this.keys.pipeline(pid), JSON.stringify(deployed));
    await this.redis.publish(this.keys.deploys, pid);
    // Switch over here.
    const oldSlots = this.sources;
    const startedAt = this.metricsState.startedAt;
    this.sources = slots;
    this.plan = after;
    this.document = swap.document;
    this.deployed = deployed;
    this.counters = counters;
    this.metricsState = this.newMetrics(after, counters);
    this.metricsState.startedAt = startedAt;
    for (const slot of oldSlots) {
      if (!carry.sources.has(slot.nodeId)) await slot.source.close?.();
      await slot.task.closeOperators();
    }
    // Kept sources re-send their watermark (an ended one its end of input) through the new stages.
    for (const slot of this.sources) {
      const was = carry.sources.get(slot.nodeId);
      if (!was) continue;
      slot.task.advance(SOURCE_CHANNEL, slot.done ? Number.POSITIVE_INFINITY : was.task.watermark);
      await slot.task.flushSinks();
      const jobs = slot.exchange.drain();
      if (jobs.length > 0) await this.queues.add(jobs);
      await this.checkpoint(slot);
    }
    await this.metricsState.refresh().catch(() => undefined);
    swap.resolve(diff);
  }

  private maxQueueBacklog(): number {
    let max = 0;
    for (const s of this.plan.stages) if (s.source === undefined) max = Math.max(max, this.metricsState.backlogOf(s.id) / s.partitions);
    return max;
  }

  private async awaitCompletion(): Promise<void> {
    while (!this.stopping) {
      // Tasks whose state was lost never report done: fail instead of waiting for ever.
      await this.marker.checkNowAndThen();
      // A task that cannot start on a worker never reports done either.
      await this.startFailures.checkNowAndThen(this.deployed.generation);
      await this.metricsState.refresh();
      // Histograms are committed with each task's counters: done means final.
      if (this.metricsState.allDone()) return;
      await sleep(20);
    }
  }

  protected async release(): Promise<void> {
    if (this.metricsTimer) clearInterval(this.metricsTimer);
    await this.metricsState.refresh().catch(() => undefined); // metrics are best effort at the end
    try {
      for (const slot of this.sources) {
        await slot.source.close?.();
        await slot.task.flushSinks();
        await slot.task.closeOperators();
      }
    } finally {
      // Detached (this process is shutting down): the deploy stays in Redis for the next start.
      if (!this.detaching) {
        await cleanupPipeline(this.redis, this.keys, this.pipelineId, this.plan, this.queues).catch(() => undefined);
        await sweepAfterRelease(this.redis, this.keys, this.pipelineId, this.plan).catch(() => undefined);
      }
      await this.queues.close();
      await this.remoteTaps.close();
    }
  }

  private localEdgeCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.sources) for (const [id, n] of Object.entries(s.exchange.edgeCounts)) out[id] = (out[id] ?? 0) + n;
    return out;
  }

  protected swapRefusal(options: RunOptions): string | undefined {
    if (this.sourcesEnded) return 'every source has ended: the run is finishing';
    if (options.baseDir !== this.deployed.baseDir) return 'the document folder changed';
    if (Object.keys(options.sourceOverrides ?? {}).length > 0 || Object.keys(this.options.sourceOverrides ?? {}).length > 0) {
      return 'a run with replaced sources is not swapped';
    }
    if (this.sources.some((s) => s.replay !== undefined)) return 'a batch interrupted by a restart is being read again';
    return undefined;
  }

  protected prepareSwap(document: PipelineDocument, options: RunOptions): { plan: Plan; options: RunOptions } {
    return { plan: buildPlan(document, nodeDefinitions, { partitions: options.partitions ?? this.deployed.partitions }), options };
  }

  /** Stop coordinating without undeploying: a restarted server resumes from the checkpoints. */
  async detach(): Promise<void> {
    this.detaching = true;
    await this.stop();
  }

  override tap(edgeId: string, listener: TapListener): () => void {
    const edge = this.plan.edges.find((e) => e.id === edgeId);
    // Edges of source stages run here; the others in workers, which publish samples.
    if (!edge || this.plan.stages[this.plan.nodes.get(edge.source)!.stage]!.source !== undefined) return this.taps.add(edgeId, listener);
    return this.remoteTaps.add(edgeId, listener);
  }
}
