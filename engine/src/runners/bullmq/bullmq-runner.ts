/**
 * The BullMQ runner: pipelines run as micro-batch jobs on (pipeline, stage, partition) queues in
 * Redis, served by any number of `sluice worker` processes. This object is the coordinator side
 * (see bullmq-run.ts); worker-pool.ts is the worker side. See docs/bullmq-runner.md.
 */
import { type RedisClient, createRedis } from './redis-client.js';
import type { PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { buildPlan } from '../../compile/plan.js';
import { RUN_DEFAULTS, type RunHandle, type Runner, type RunOptions } from '../runner.js';
import { BullmqRun } from './bullmq-run.js';
import { deployedMaxDrift } from './partition-alignment.js';
import type { JobGroupLimits } from './job-group.js';
import type { CoordinatorFenced } from './coordinator-fence.js';
import type { DeployedPipeline } from './deployed-pipeline.js';
import { RedisKeys } from './keys.js';
import { closeRedis } from './redis-options.js';
import { listWorkers, type WorkerView } from './worker-list.js';

export interface BullmqRunnerOptions {
  redisUrl: string;
  /** Key prefix for every key and queue (default "sluice"). */
  prefix?: string;
  highWaterJobs?: number;
  /** Bounds of the job groups keyed tasks apply as one step (docs/bullmq-runner.md, "Round trips per job"). */
  jobGroup?: JobGroupLimits;
  /** How long a stop lets queued batches be processed before removing them (default 10 s). */
  stopDrainMs?: number;
  /** Runs nobody will resume (`sluice run`, under a leased prefix: run-lease.ts); default false. */
  ephemeral?: boolean;
}

/** Where a cluster's runs get their fencing token, and whom they tell of a refused write. */
export interface CoordinatorFencing {
  /** The leader lease's token while this server holds it. */
  token: () => string | undefined;
  onRefused: (pipelineId: string, err: CoordinatorFenced) => void;
}

/** How long /readyz waits for Redis to answer a PING. */
const READY_TIMEOUT_MS = 1000;

export class BullmqRunner implements Runner {
  readonly kind = 'bullmq' as const;
  readonly keys: RedisKeys;
  private readonly redis: RedisClient;
  private readonly runs = new Set<BullmqRun>();
  private fence: CoordinatorFencing | undefined;

  constructor(private readonly o: BullmqRunnerOptions) {
    this.keys = new RedisKeys(o.prefix ?? 'sluice');
    this.redis = createRedis(o.redisUrl);
    // Connection errors are retried by ioredis and reported by ready() (/readyz), not thrown.
    this.redis.on('error', () => undefined);
  }

  /** Redis answers (for /readyz). */
  async ready(): Promise<boolean> {
    // Commands wait for a reconnect forever (maxRetriesPerRequest: null): a probe must not.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), READY_TIMEOUT_MS)));
    try {
      return await Promise.race([this.redis.ping().then((p) => p === 'PONG'), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Workers that sent a heartbeat in the last `maxAgeMs` (they beat every ~0.5 s). A worker
   * killed without a goodbye ages out; entries older than a minute are removed.
   */
  async liveWorkers(maxAgeMs = 5000): Promise<number> {
    const now = Date.now();
    const beats = await this.redis.hgetall(this.keys.workers);
    const dead = Object.entries(beats)
      .filter(([, t]) => now - Number(t) > 60_000)
      .map(([id]) => id);
    if (dead.length > 0) {
      await this.redis.hdel(this.keys.workers, ...dead);
      await this.redis.hdel(this.keys.workerInfo, ...dead);
    }
    return Object.values(beats).filter((t) => now - Number(t) <= maxAgeMs).length;
  }

  /** The workers serving this prefix, for GET /api/workers (worker-list.ts). */
  workers(): Promise<WorkerView[]> {
    return listWorkers(this.redis, this.keys);
  }

  async deploy(document: PipelineDocument, options: RunOptions): Promise<RunHandle> {
    return this.start(document, options);
  }

  /**
   * Re-attach to a pipeline deployed before this process restarted: same generation, state,
   * queues and source checkpoints. Returns undefined when Redis holds no such deploy.
   */
  async resume(pipelineId: string, options: Omit<RunOptions, 'baseDir'> = {}): Promise<RunHandle | undefined> {
    const raw = await this.redis.get(this.keys.pipeline(pipelineId));
    if (!raw) return undefined;
    const d = JSON.parse(raw) as DeployedPipeline;
    return this.start(
      d.document,
      { ...options, baseDir: d.baseDir, pipelineId, params: d.params, partitions: d.partitions, batchSize: d.batchSize },
      d,
    );
  }

  /**
   * One server of a cluster (docs/multi-server.md): every run started from now on carries the
   * leader lease's token as it is then, and its coordinator's writes are fenced with it.
   */
  fenceWith(fencing: CoordinatorFencing): void {
    this.fence = fencing;
  }

  private async start(document: PipelineDocument, options: RunOptions, resume?: DeployedPipeline): Promise<RunHandle> {
    const token = this.fence?.token();
    if (this.fence && token === undefined)
      throw new Error('this server does not hold the coordinator lease: another server coordinates the runs');
    const plan = buildPlan(document, nodeDefinitions, { partitions: options.partitions ?? RUN_DEFAULTS.partitions });
    // A bad drift fails the deploy before anything is opened (a resumed one keeps its own).
    if (!resume) deployedMaxDrift(options.maxDriftMs);
    const run = new BullmqRun(document, plan, this.redis, this.keys, {
      ...options,
      redisUrl: this.o.redisUrl,
      ...(resume ? { resume } : {}),
      ...(this.o.highWaterJobs !== undefined ? { highWaterJobs: this.o.highWaterJobs } : {}),
      ...(this.o.jobGroup ? { jobGroup: this.o.jobGroup } : {}),
      ...(this.o.stopDrainMs !== undefined ? { stopDrainMs: this.o.stopDrainMs } : {}),
      ephemeral: this.o.ephemeral ?? false,
      ...(token !== undefined ? { coordinatorToken: token } : {}),
      ...(this.fence ? { onFenced: this.fence.onRefused } : {}),
    });
    await run.start();
    this.runs.add(run);
    void run.done.finally(() => this.runs.delete(run));
    return run;
  }

  /** Detach from every run (they stay deployed in Redis; `resume` picks them up again). */
  async detachAll(): Promise<void> {
    const runs = [...this.runs];
    this.runs.clear();
    await Promise.all(runs.map((r) => r.detach()));
  }

  async close(): Promise<void> {
    await this.detachAll();
    await closeRedis(this.redis);
  }
}
