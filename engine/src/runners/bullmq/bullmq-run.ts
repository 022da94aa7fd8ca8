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
import type { TapListener } from '../../runtime/taps.js';
import { type SwapRunContext, swapPipeline } from './hot-swap-run.js';
import { BULLMQ_BATCH_SIZE, RUN_DEFAULTS, type RunOptions } from '../runner.js';
import { type PendingSwap, RunLifecycle } from '../shared/run-lifecycle.js';
import { BullmqMetrics } from './bullmq-metrics.js';
import { CoordinatorFence, type CoordinatorFenced, isCoordinatorFenced } from './coordinator-fence.js';
import type { DeployedPipeline } from './deployed-pipeline.js';
import type { RedisKeys } from './keys.js';
import { cleanupPipeline, sweepAfterRelease } from './pipeline-cleanup.js';
import { drainQueues, sleep } from './queue-drain.js';
import { QueueSet } from './queue-set.js';
import { RunMarker } from './run-marker.js';
import { SourceCheckpoints } from './source-checkpoints.js';
import { JOB_GROUP_DEFAULTS, type JobGroupLimits } from './job-group.js';
import { deployedMaxDrift } from './partition-alignment.js';
import { HIGH_WATER_JOBS, SourceHost } from './source-host.js';
import { SourceLeases, sourcePartitions } from './source-lease.js';
import { reportStartFailure, StartFailureWatch } from './start-failure-report.js';
import { deployStartWaitMs, waitSourcesStarted } from './source-start.js';
import { TapSubscriber } from './remote-taps.js';

/** How long a stop lets queued batches be processed before it removes them (RunResult.discarded). */
const STOP_DRAIN_MS = 10_000;

export interface BullmqRunOptions extends RunOptions {
  redisUrl: string;
  /** Keep state and queues of an earlier deploy of the same generation (server restart). */
  resume?: DeployedPipeline;
  /** Backlog (jobs waiting in one partition queue) above which sources pause. */
  highWaterJobs?: number;
  /** Bounds of the job groups keyed tasks apply as one step (job-group.ts). */
  jobGroup?: JobGroupLimits;
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
      jobGroup: this.options.jobGroup ?? JOB_GROUP_DEFAULTS,
      batchDelayMs: this.options.batchDelayMs ?? RUN_DEFAULTS.batchDelayMs,
      maxDriftMs: deployedMaxDrift(this.options.maxDriftMs),
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

  /** Hot redeploy (hot-swap-run.ts, docs/hot-redeploy.md). */
  protected async applySwap(swap: PendingSwap): Promise<void> {
    try {
      await this.swapFenced(swap);
    } catch (err) {
      swap.reject(err); // no-op once resolved
      throw err;
    }
  }

  private async swapFenced(swap: PendingSwap): Promise<void> {
    const swapped = await swapPipeline(this.swapContext(), swap);
    if (!swapped) return;
    // Switch over here.
    const startedAt = this.metricsState.startedAt;
    this.plan = swap.plan;
    this.document = swap.document;
    this.deployed = swapped.deployed;
    this.metricsState = new BullmqMetrics(this.pipelineId, swap.plan, this.redis, this.keys, this.queues);
    this.metricsState.startedAt = startedAt;
    await this.metricsState.refresh().catch(() => undefined);
    swap.resolve(swapped.diff);
  }

  private swapContext(): SwapRunContext {
    return {
      pid: this.pipelineId,
      redis: this.redis,
      keys: this.keys,
      fence: this.fence,
      checkpoints: this.checkpoints,
      leases: this.leases,
      queues: this.queues,
      deployed: this.deployed,
      plan: this.plan,
      now: this.options.now,
      stopping: () => this.stopping,
      setGate: (state, generation) => this.setGate(state, generation),
      waitSourcesReleased: (plan, timeoutMs) => this.waitSourcesReleased(plan, timeoutMs),
    };
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
