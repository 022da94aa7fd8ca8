/**
 * The coordinator of one pipeline in BullMQ mode (in the server, or in `sluice run --engine
 * bullmq`). It writes the deploy and opens the source gate; workers run every stage: the source
 * partitions under leases (source-host.ts), the keyed stages from their queues. No pipeline data
 * passes through here: the coordinator watches completion (every source partition's checkpoint
 * and every task's counters done), start failures, the run marker and the metrics, and drives
 * hot redeploys and stops through the gate (docs/bullmq-runner.md, docs/source-partitions.md).
 * Only a run whose sources are replaced in memory (a preview, a benchmark's events) runs its
 * source partitions here, through the same lease code.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-client.js';
import { paramValues, type PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { buildPlan, type Plan } from '../../compile/plan.js';
import { diffPlans } from '../../compile/redeploy-diff.js';
import type { Operator, SourceOperator } from '@sluice/nodes/sdk';
import { NodeCounters } from '../../metrics/node-counters.js';
import { OperatorBuild } from '../../runtime/operator-build.js';
import type { TapListener } from '../../runtime/taps.js';
import { ExchangeBuffer } from './exchange-buffer.js';
import { BULLMQ_BATCH_SIZE, HotSwapRefused, RUN_DEFAULTS, type RunOptions } from '../runner.js';
import { type PendingSwap, RunLifecycle } from '../shared/run-lifecycle.js';
import { BullmqMetrics } from './bullmq-metrics.js';
import { CoordinatorFence, type CoordinatorFenced, isCoordinatorFenced } from './coordinator-fence.js';
import type { DeployedPipeline } from './deployed-pipeline.js';
import { collectTask, emptyOldState, freshTaskSnapshot, newTaskState } from './hot-swap-state.js';
import type { RedisKeys } from './keys.js';
import { cleanupPipeline, sweepAfterRelease } from './pipeline-cleanup.js';
import { drainQueues, sleep, waitDrained } from './queue-drain.js';
import { QueueSet } from './queue-set.js';
import { RunMarker } from './run-marker.js';
import { type SourceCheckpoint, SourceCheckpoints } from './source-checkpoints.js';
import { HIGH_WATER_JOBS, SourceHost } from './source-host.js';
import { SourceLeases, type SourcePartitionRef, sourcePartitions } from './source-lease.js';
import { reportStartFailure, StartFailureWatch } from './start-failure-report.js';
import { deployStartWaitMs, waitSourcesStarted } from './source-start.js';
import { TapSubscriber } from './remote-taps.js';
import { TaskStateStore } from './task-state-store.js';

/** How long a hot redeploy waits for the sources to park and the queues to drain before it gives up. */
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
  /**
   * The leader lease's token of the server that coordinates this run (docs/multi-server.md):
   * every write that changes the run is fenced with it (coordinator-fence.ts). None: unfenced.
   */
  coordinatorToken?: string;
  /** A fenced write was refused: a newer leader coordinates the run; this coordinator detaches. */
  onFenced?: (pipelineId: string, err: CoordinatorFenced) => void;
}

export class BullmqRun extends RunLifecycle {
  private detaching = false;
  private readonly remoteTaps: TapSubscriber;
  private readonly queues: QueueSet;
  private readonly checkpoints: SourceCheckpoints;
  private readonly leases: SourceLeases;
  private readonly marker: RunMarker;
  private readonly fence: CoordinatorFence;
  private readonly startFailures: StartFailureWatch;
  protected metricsState: BullmqMetrics;
  private deployed!: DeployedPipeline;
  private metricsTimer: NodeJS.Timeout | undefined;
  /** Source partitions run here (replaced sources only). */
  private localSources: SourceHost | undefined;

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
    this.leases = new SourceLeases(redis, keys, this.pipelineId);
    this.marker = new RunMarker(redis, keys, this.pipelineId);
    this.fence = new CoordinatorFence(redis, keys, this.pipelineId, options.coordinatorToken ?? '');
    this.startFailures = new StartFailureWatch(redis, keys, this.pipelineId);
    this.remoteTaps = new TapSubscriber(redis, keys, this.pipelineId);
    this.metricsState = new BullmqMetrics(this.pipelineId, plan, redis, keys, this.queues);
  }

  private get sourcesHere(): boolean {
    return Object.keys(this.options.sourceOverrides ?? {}).length > 0 || Object.keys(this.options.operatorOverrides ?? {}).length > 0;
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
      highWaterJobs: this.options.highWaterJobs ?? HIGH_WATER_JOBS,
      batchDelayMs: this.options.batchDelayMs ?? RUN_DEFAULTS.batchDelayMs,
      sourcesOn: this.sourcesHere ? 'coordinator' : 'workers',
      record: this.options.onSourceEvents !== undefined,
    };
    if (!this.options.resume) {
      await cleanupPipeline(this.redis, this.keys, pid, this.plan, this.queues, this.fence);
      await this.fence.mark(this.deployed.generation);
    } else {
      await this.marker.check(); // a deploy without its marker: RedisClient lost part of it
      // Before anything else: a leader with an older token (paused, about to wake) writes nothing more.
      await this.fence.claim();
    }
    for (const s of this.plan.stages) {
      if (s.source !== undefined) continue;
      for (let p = 0; p < s.partitions; p++) await this.queues.queue(s.id, p).setGlobalConcurrency(1);
    }
    // A resumed deploy keeps its gate (sources may be mid-swap); an older deploy has none.
    if (!this.options.resume || (await this.leases.gate()) === null) await this.setGate('run', this.deployed.generation);
    this.registerIngest();
    await this.fence.set('deploy', this.keys.pipeline(pid), JSON.stringify(this.deployed));
    await this.redis.sadd(this.keys.pipelines, pid);
    await this.redis.publish(this.keys.deploys, pid);
    if (this.deployed.sourcesOn === 'coordinator') this.startLocalSources();
    else if (!this.options.resume) await this.sourcesStartedOrUndeploy();
    this.metricsTimer = setInterval(() => void this.metricsState.refresh().catch(() => undefined), 1000);
    this.startLoop(
      () => this.coordinate(),
      () => (this.detaching ? 'running' : this.stopping ? 'stopped' : 'completed'),
    );
  }

  /**
   * A fresh deploy answers once its source partitions have started on workers (source-start.ts);
   * one that cannot start is undeployed and the deploy fails with its StartFailure.
   */
  private async sourcesStartedOrUndeploy(): Promise<void> {
    try {
      await waitSourcesStarted({
        redis: this.redis,
        keys: this.keys,
        pid: this.pipelineId,
        plan: this.plan,
        generation: this.deployed.generation,
        leases: this.leases,
        failures: this.startFailures,
        timeoutMs: deployStartWaitMs(),
      });
    } catch (err) {
      await cleanupPipeline(this.redis, this.keys, this.pipelineId, this.plan, this.queues, this.fence).catch(() => undefined);
      await this.queues.close();
      await this.remoteTaps.close();
      throw err;
    }
  }

  /**
   * The server's ingest route answers for a source.http node only once its inbox is known to the
   * hub; the node's partitions read the Redis stream on workers, so the hub learns it here.
   */
  private registerIngest(): void {
    const hub = this.options.ingest;
    if (!hub) return;
    for (const node of this.plan.nodes.values()) {
      if (node.type !== 'source.http') continue;
      const parsed = node.def.config.safeParse(node.config);
      const c = (parsed.success ? parsed.data : {}) as { maxBuffered?: unknown; partitionBy?: unknown };
      const capacity = Number(c.maxBuffered);
      // A split node: the server places each record in its partition's stream (ingest-placement.ts).
      const of = this.plan.stages[node.stage]!.partitions;
      const split = of > 1 && typeof c.partitionBy === 'string' ? { index: 0, of, partitionBy: c.partitionBy } : undefined;
      if (Number.isFinite(capacity)) hub.open(this.pipelineId, node.id, capacity, split);
    }
  }

  /** Replaced sources live in this process: its own source host takes every partition. */
  private startLocalSources(): void {
    const d = this.deployed;
    this.localSources = new SourceHost({
      redis: this.redis,
      keys: this.keys,
      deployed: d,
      plan: this.plan,
      queues: this.queues,
      workerId: `coordinator-${randomUUID().slice(0, 8)}`,
      labels: [],
      takeAll: true,
      context: {
        baseDir: d.baseDir,
        ...(d.fileRoots ? { fileRoots: d.fileRoots } : {}),
        params: d.params,
        now: this.options.now ?? Date.now,
        ...(this.options.ingest ? { ingest: { hub: this.options.ingest, pipelineId: this.pipelineId } } : {}),
      },
      liveWorkers: async () => 1,
      onTap: (edgeId, events) => this.taps.active && this.taps.emit(edgeId, events),
      sourceOverrides: this.options.sourceOverrides,
      operatorOverrides: this.options.operatorOverrides,
      onSourceEvents: (nodeId, events) => this.options.onSourceEvents?.(this.pipelineId, nodeId, events),
      onFailure: (failure) => reportStartFailure(this.redis, this.keys, this.pipelineId, d.generation, failure),
    });
    this.localSources.start();
  }

  /** The source gate, written through the fence (docs/source-partitions.md). */
  private setGate(state: 'run' | 'pause' | 'stop', generation: string): Promise<void> {
    return this.fence.set(`gate ${state}`, this.keys.sourceGate(this.pipelineId), `${state}:${generation}`);
  }

  /**
   * Watch until every partition is done or the run stops. A write refused by the fence (a newer
   * leader resumed this run) ends this coordinator as a detach: nothing cleaned, nothing written.
   */
  private async coordinate(): Promise<void> {
    try {
      await this.watchRun();
    } catch (err) {
      if (!isCoordinatorFenced(err)) throw err;
      this.detaching = true;
      this.options.onFenced?.(this.pipelineId, err);
    }
  }

  /** Watch until every partition is done or the run stops; a swap waiting is applied here. */
  private async watchRun(): Promise<void> {
    try {
      while (!this.stopping) {
        if (await this.applyPendingSwap()) continue;
        // Tasks whose state was lost never report done: fail instead of waiting for ever.
        await this.marker.checkNowAndThen();
        // A partition that cannot start on a worker never reports done either.
        await this.startFailures.checkNowAndThen(this.deployed.generation);
        await this.metricsState.refresh('due');
        // Histograms are committed with each part's counters: done means final.
        if (this.metricsState.allDone()) return;
        await sleep(20);
      }
    } finally {
      this.refuseSwaps('the run is finishing');
    }
    if (this.detaching) return;
    // A stop: the sources checkpoint and let go (their chained sinks flushed), then what is queued drains, within the bound.
    await this.setGate('stop', this.deployed.generation);
    await this.redis.publish(this.keys.deploys, this.pipelineId);
    await this.waitSourcesReleased(this.plan, this.options.stopDrainMs ?? STOP_DRAIN_MS);
    // Draining removes jobs BullMQ-side, outside the script: checked once more just before.
    await this.fence.check('stop: drain');
    this.discarded = await drainQueues(this.plan, this.queues, this.options.stopDrainMs ?? STOP_DRAIN_MS);
  }

  /**
   * True once no worker holds a source partition of `plan` (each let go after a checkpoint, or
   * never took it, or its lease expired); false at the deadline.
   */
  private async waitSourcesReleased(plan: Plan, timeoutMs: number): Promise<boolean> {
    const parts = sourcePartitions(plan.stages);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const views = await this.leases.view(parts);
      if (views.every((v) => v.kind !== 'held')) return true;
      await sleep(20);
    }
    return false;
  }

  /**
   * Hot redeploy (docs/hot-redeploy.md). The gate is set to pause: every worker checkpoints its
   * source partitions and lets go of them; the queues drain (every batch sent is applied and
   * committed); the old state (tasks in Redis, source partitions in their checkpoints) is
   * re-cut along the new plan's stages; the old queues are emptied; kept source partitions get
   * checkpoints that restart their channels and re-send their watermark; the new definition is
   * published with a new generation and the gate opens for it. A batch of the new generation is
   * refused by a worker still on the old one.
   */
  protected async applySwap(swap: PendingSwap): Promise<void> {
    try {
      await this.swapFenced(swap);
    } catch (err) {
      swap.reject(err); // no-op once resolved
      throw err;
    }
  }

  private async swapFenced(swap: PendingSwap): Promise<void> {
    const pid = this.pipelineId;
    const before = this.plan;
    const after = swap.plan;
    const diff = diffPlans(before, after);
    const kept = new Set(diff.kept);
    const oldGen = this.deployed.generation;
    try {
      await this.trialBuild(after, swap);
    } catch (err) {
      swap.reject(err); // nothing paused yet: the run goes on as it was
      return;
    }
    const reopen = async (why: string) => {
      await this.setGate('run', oldGen);
      await this.redis.publish(this.keys.deploys, pid);
      swap.reject(new HotSwapRefused(why));
    };
    await this.setGate('pause', oldGen);
    await this.redis.publish(this.keys.deploys, pid);
    if (!(await this.waitSourcesReleased(before, SWAP_DRAIN_MS))) {
      await reopen(`the source partitions were not let go within ${SWAP_DRAIN_MS / 1000} s`);
      return;
    }
    if (!(await waitDrained(before, this.queues, SWAP_DRAIN_MS, () => this.stopping))) {
      await reopen(this.stopping ? 'the run is stopping' : `the queues did not drain within ${SWAP_DRAIN_MS / 1000} s`);
      return;
    }
    // The old plan's state: every source partition's checkpoint, then every task in Redis.
    const store = new TaskStateStore(this.redis, this.keys);
    const old = emptyOldState();
    const oldCheckpoints = new Map<string, SourceCheckpoint>();
    for (const ref of sourcePartitions(before.stages)) {
      const cp = await this.checkpoints.read(ref.nodeId, ref.partition);
      if (!cp) continue;
      if (cp.pending) {
        await reopen('a source batch interrupted by a crash is being read again');
        return;
      }
      oldCheckpoints.set(`${ref.nodeId}#${ref.partition}`, cp);
      const stage = before.stages[before.nodes.get(ref.nodeId)!.stage]!;
      const counters = {
        nodes: cp.counters,
        edges: cp.edges ?? {},
        watermark: null,
        done: false,
        ...(cp.errors ? { errors: cp.errors } : {}),
      };
      collectTask(old, stage.nodes, ref.partition, { operators: cp.operators ?? {}, counters }, kept);
    }
    for (const s of before.stages) {
      if (s.source !== undefined) continue;
      for (let p = 0; p < s.partitions; p++) {
        const { snapshot } = await store.load(pid, s.id, p);
        if (snapshot) collectTask(old, s.nodes, p, snapshot, kept);
      }
    }
    const deployed: DeployedPipeline = {
      ...this.deployed,
      generation: randomUUID(),
      document: swap.document,
      params: { ...paramValues(swap.document), ...swap.options.params },
      partitions: swap.options.partitions ?? this.deployed.partitions,
      batchSize: swap.options.batchSize ?? this.deployed.batchSize,
    };
    // Redis: the old queues (and the ids of their completed jobs) and task state go, the carried
    // state comes in; the new definition goes last. BullMQ's obliterate and the task store are
    // not the fence's scripts: the fence is checked just before (docs/multi-server.md).
    await this.fence.check('swap: queues and task state');
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
    const newParts = sourcePartitions(after.stages);
    const stillThere = new Set(newParts.map((r) => `${r.nodeId}#${r.partition}`));
    for (const ref of sourcePartitions(before.stages))
      if (!stillThere.has(`${ref.nodeId}#${ref.partition}`))
        await this.fence.del('swap', this.checkpoints.keysOf(ref.nodeId, ref.partition));
    for (const ref of newParts) await this.writeSwappedCheckpoint(ref, kept, before, after, old, oldCheckpoints);
    await this.fence.del(
      'swap',
      newParts.map((r) => this.leases.key(r)),
    );
    await this.fence.set('swap', this.keys.pipeline(pid), JSON.stringify(deployed));
    await this.setGate('run', deployed.generation);
    await this.redis.publish(this.keys.deploys, pid);
    // Switch over here.
    const startedAt = this.metricsState.startedAt;
    this.plan = after;
    this.document = swap.document;
    this.deployed = deployed;
    this.metricsState = new BullmqMetrics(pid, after, this.redis, this.keys, this.queues);
    this.metricsState.startedAt = startedAt;
    await this.metricsState.refresh().catch(() => undefined);
    swap.resolve(diff);
  }

  /**
   * Before anything pauses: the new plan's source stages are built here once and closed again,
   * so an operator that cannot be created (an enrich table that does not exist) refuses the swap
   * while the running version goes on. Sources and sinks are stand-ins: nothing is read, and no
   * file is opened for writing (a sink's start may empty its file).
   */
  private async trialBuild(after: Plan, swap: PendingSwap): Promise<void> {
    const sourceOverrides: Record<string, () => SourceOperator> = {};
    const operatorOverrides: Record<string, () => Operator> = {};
    for (const node of after.nodes.values()) {
      if (node.isSource)
        sourceOverrides[node.id] = () => ({ poll: () => ({ events: [], watermark: Number.NEGATIVE_INFINITY, done: true }) });
      else if (node.isSink) operatorOverrides[node.id] = () => ({ process: () => undefined });
    }
    const context = {
      baseDir: this.deployed.baseDir,
      ...(this.deployed.fileRoots ? { fileRoots: this.deployed.fileRoots } : {}),
      params: { ...paramValues(swap.document), ...swap.options.params },
      now: this.options.now ?? Date.now,
    };
    const build = new OperatorBuild({ context, sourceOverrides, operatorOverrides });
    try {
      for (const stage of after.stages) {
        if (stage.source === undefined) continue;
        const one = { ...stage, partitions: 1 };
        await build.task(after, one, 0, new ExchangeBuffer(after, one, 0), () => ({ counters: new NodeCounters() }));
      }
    } finally {
      await build.abort();
    }
  }

  /**
   * A source partition of the new plan: a kept source keeps its position (and its end) and sends
   * its watermark again through the new stages; its channels start again, as the queues do. A
   * new or changed source starts from its beginning with whatever its kept chained nodes carry.
   */
  private async writeSwappedCheckpoint(
    ref: SourcePartitionRef,
    kept: ReadonlySet<string>,
    before: Plan,
    after: Plan,
    old: ReturnType<typeof emptyOldState>,
    oldCheckpoints: ReadonlyMap<string, SourceCheckpoint>,
  ): Promise<void> {
    const stage = after.stages[after.nodes.get(ref.nodeId)!.stage]!;
    const carried = newTaskState(before, after, old, stage.id, ref.partition);
    const was = kept.has(ref.nodeId) ? oldCheckpoints.get(`${ref.nodeId}#${ref.partition}`) : undefined;
    if (!was && !carried) {
      await this.fence.del('swap', this.checkpoints.keysOf(ref.nodeId, ref.partition));
      return;
    }
    const cp: SourceCheckpoint = {
      position: was?.position,
      exchange: { seq: {}, sentWm: {} },
      watermark: Number.NEGATIVE_INFINITY,
      done: was?.done ?? false,
      counters: carried?.counters.nodes ?? {},
      ...(carried?.counters.errors ? { errors: carried.counters.errors } : {}),
      operators: carried?.operators ?? {},
      edges: carried?.counters.edges ?? {},
    };
    if (was) cp.resend = was.done ? Number.POSITIVE_INFINITY : was.watermark;
    // The partition is held by nobody now (the gate is paused): the coordinator writes unfenced.
    await this.checkpoints.write(ref.nodeId, ref.partition, cp, '', '', this.fence.token);
  }

  protected async release(): Promise<void> {
    if (this.metricsTimer) clearInterval(this.metricsTimer);
    await this.metricsState.refresh().catch(() => undefined); // metrics are best effort at the end
    try {
      await this.localSources?.close();
    } finally {
      // Detached (this process is shutting down): the deploy stays in Redis for the next start.
      // Fenced (a newer leader took the run) or Redis away: nothing is swept either.
      if (!this.detaching) {
        const cleaned = await cleanupPipeline(this.redis, this.keys, this.pipelineId, this.plan, this.queues, this.fence).then(
          () => true,
          (err: unknown) => {
            if (isCoordinatorFenced(err)) this.options.onFenced?.(this.pipelineId, err);
            return false;
          },
        );
        if (cleaned) await sweepAfterRelease(this.redis, this.keys, this.pipelineId, this.plan).catch(() => undefined);
      }
      await this.queues.close();
      await this.remoteTaps.close();
    }
  }

  protected swapRefusal(options: RunOptions): string | undefined {
    if (this.metricsState.sourcesDone()) return 'every source has ended: the run is finishing';
    if (options.baseDir !== this.deployed.baseDir) return 'the document folder changed';
    if (Object.keys(options.sourceOverrides ?? {}).length > 0 || this.sourcesHere) return 'a run with replaced sources is not swapped';
    return undefined;
  }

  protected prepareSwap(document: PipelineDocument, options: RunOptions): { plan: Plan; options: RunOptions } {
    return { plan: buildPlan(document, nodeDefinitions, { partitions: options.partitions ?? this.deployed.partitions }), options };
  }

  /** Stop coordinating without undeploying: the workers go on, and a restarted server resumes watching. */
  async detach(): Promise<void> {
    this.detaching = true;
    await this.stop();
  }

  override tap(edgeId: string, listener: TapListener): () => void {
    const edge = this.plan.edges.find((e) => e.id === edgeId);
    // Edges of source stages run here only when the sources do; the others in workers, which publish samples.
    if (!edge || (this.localSources && this.plan.stages[this.plan.nodes.get(edge.source)!.stage]!.source !== undefined))
      return this.taps.add(edgeId, listener);
    return this.remoteTaps.add(edgeId, listener);
  }
}
