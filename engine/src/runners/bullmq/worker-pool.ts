/**
 * `sluice worker`: serves every deployed pipeline. It watches the set of deployed pipelines,
 * runs the source partitions whose leases it holds (source-host.ts: a fair share of them,
 * handed over and taken over as workers come and go), and serves its share of the keyed stages'
 * (pipeline, stage, partition) queues, placed round-robin over the live workers
 * (queue-placement.ts, keyed-queues.ts; each queue's global concurrency is 1, so each partition
 * has one writer at a time across all workers whatever the placement). Counters and histograms
 * travel with each task's committed state and each source partition's checkpoint.
 */
import { EdgeRuleCounting } from '../../alerts/worker-edge-tally.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { BullConnections, createRedis, type RedisClient } from './redis-client.js';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { buildPlan, type Plan, type PlanStage } from '../../compile/plan.js';
import type { BatchJob } from './batch-codec.js';
import { type DeployedPipeline, WORKER_TIMINGS } from './deployed-pipeline.js';
import { RedisKeys } from './keys.js';
import { QueueSet } from './queue-set.js';
import { pipelinePrivacy } from '../../privacy/pipeline-privacy.js';
import { RedisIngestHub } from '../../runtime/redis-ingest-hub.js';
import { SourceHost } from './source-host.js';
import { recordBatch } from '../../recording/recorder.js';
import { RedisRecordingStore } from '../../recording/redis-recording-store.js';
import { TapPublisher } from './remote-taps.js';
import { reportStartFailure } from './start-failure-report.js';
import { reportRedisErrors } from './redis-options.js';
import { KeyedQueues } from './keyed-queues.js';
import { ownedQueueIndices, ServingWorkers } from './queue-placement.js';
import { TaskStateStore } from './task-state-store.js';
import { liveWorkersWith, type WorkerIdentity } from './worker-list.js';

/**
 * BullMQ timings; `SLUICE_LOCK_MS` shortens the lock (fault drills pause a worker past it
 * without waiting 10 s). The stall check runs at a fifth of the lock.
 */
function workerTimings(): { lockDuration: number; stalledInterval: number; maxStalledCount: number } {
  const lock = Number(process.env.SLUICE_LOCK_MS);
  if (!Number.isFinite(lock) || lock <= 0) return WORKER_TIMINGS;
  return { ...WORKER_TIMINGS, lockDuration: lock, stalledInterval: Math.max(200, Math.round(lock / 5)) };
}

/**
 * The slow-sink drill (test/faults/slow-sink.test.ts): `SLUICE_DRILL_SLOW_SINK=<ms>:<every>`
 * blocks the event loop for <ms> before the sink writes of every <every>th batch, on its first
 * attempt only, as a sink stuck in a synchronous write would: the job outlives its lock, another
 * worker takes it over, and the slow one writes late. Not a node setting on purpose.
 */
function slowSinkDrill(job: () => Job<BatchJob> | undefined): ((seqs: readonly number[]) => void) | undefined {
  const [ms, every] = (process.env.SLUICE_DRILL_SLOW_SINK ?? '').split(':').map(Number);
  if (!ms || !every) return undefined;
  // Any batch of the step, not only the job in hand: a job group applies several at once.
  return (seqs) => {
    const j = job();
    if (j && j.attemptsStarted <= 1 && seqs.some((s) => s % every === 0)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  };
}

/**
 * SLUICE_DRILL_START_PAUSE=<ms>: a worker that finds no committed state for a sink's task, on a
 * job's first attempt, blocks for <ms> between that read and building the task (a GC or VM
 * pause there): another worker takes the job over and starts the task meanwhile
 * (test/faults/start-race.test.ts).
 */
function startPauseDrill(plan: Plan): (job: () => Job<BatchJob> | undefined, stage: PlanStage) => ((fresh: boolean) => void) | undefined {
  return (job, stage) => {
    const ms = Number(process.env.SLUICE_DRILL_START_PAUSE ?? '');
    if (!ms || !stage.nodes.some((id) => plan.nodes.get(id)?.isSink)) return undefined;
    return (fresh) => {
      const j = job();
      if (fresh && j && j.attemptsStarted <= 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    };
  };
}

export interface WorkerPoolOptions {
  redisUrl: string;
  prefix: string;
  /** How often to look for deployed/undeployed pipelines, ms. */
  pollMs?: number;
  log?: (line: string) => void;
  /** A run nobody will resume lost its coordinator lease: this pool released it (or never took it). */
  onRunGone?: (pid: string) => void;
  /** `sluice worker --labels`: source partitions of nodes with `placement` run only where all their labels are. */
  labels?: readonly string[];
  /** Counts every source poll this pool makes (tests prove which process reads sources). */
  onSourcePoll?: () => void;
  /** Tests: awaited before each poll of a source partition (holds it back), and told of each wait for watermark alignment. */
  beforeSourcePoll?: (nodeId: string, partition: number) => Promise<void>;
  onAlignmentWait?: (nodeId: string, partition: number) => void;
  /** Serve source partitions only, no keyed queue (a test whose queues must stay full). */
  sourcesOnly?: boolean;
}

/** A worker whose last heartbeat is older than this no longer counts in the sources' fair share. */
const LIVE_WORKER_MS = 3000;

/**
 * TTL of the `workers` and `worker-info` hashes, refreshed by every heartbeat: once every worker
 * of a prefix is gone, they go too (the server prunes single entries older than a minute).
 */
export const WORKER_HASH_TTL_MS = 60_000;

interface Hosted {
  generation: string;
  ephemeral: boolean;
  taps: TapPublisher;
  /** The keyed queues: this worker serves the ones placement gives it (queue-placement.ts). */
  keyed: KeyedQueues;
  queues: QueueSet;
  sources?: SourceHost;
  /** Data rules counted on the edges this worker produces (docs/alerts.md, "Data rules on BullMQ"). */
  counting: EdgeRuleCounting;
}

export class WorkerPool {
  readonly id = randomUUID().slice(0, 8);
  private readonly redis: RedisClient;
  /** Hears deploys as they happen; the poll is the fallback for a missed message. */
  private readonly subscriber: RedisClient;
  /** BullMQ's connection for every run hosted here, for the worker's life (redis-client.ts). */
  private readonly bull: BullConnections;
  private readonly keys: RedisKeys;
  private readonly store: TaskStateStore;
  private readonly hosted = new Map<string, Hosted>();
  /** Generations of runs found gone (said once). */
  private readonly gone = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly servingWorkers: ServingWorkers;
  /** Live workers that serve keyed queues, sorted: placement divides the queues among them. */
  private serving: string[];
  private syncing: Promise<void> = Promise.resolve();
  /** Inboxes of source.http partitions run here (their Redis streams). */
  private readonly ingest: RedisIngestHub;
  /** The server's recording of source events, appended to by the partitions run here (opened on first use). */
  private recordings: RedisRecordingStore | undefined;

  constructor(private readonly o: WorkerPoolOptions) {
    this.redis = createRedis(o.redisUrl);
    this.subscriber = createRedis(o.redisUrl);
    this.bull = new BullConnections(o.redisUrl);
    reportRedisErrors(this.redis, o.redisUrl, (line) => this.log(line));
    reportRedisErrors(this.subscriber, o.redisUrl, undefined); // same Redis: one line is enough
    this.keys = new RedisKeys(o.prefix);
    this.servingWorkers = new ServingWorkers(o.sourcesOnly ? undefined : this.id);
    this.serving = o.sourcesOnly ? [] : [this.id];
    this.store = new TaskStateStore(this.redis, this.keys);
    this.ingest = new RedisIngestHub({ redis: this.redis, prefix: o.prefix });
  }

  private recording(): RedisRecordingStore {
    this.recordings ??= new RedisRecordingStore({ redisUrl: this.o.redisUrl, prefix: this.o.prefix });
    return this.recordings;
  }

  /** Workers that beat recently with all of `labels` (this one included): a source's fair share divides by it. */
  private liveWorkers(labels: readonly string[]): Promise<number> {
    return liveWorkersWith(this.redis, this.keys, labels, LIVE_WORKER_MS);
  }

  async start(): Promise<void> {
    // Who this is, for `sluice workers` and GET /api/workers; labels choose where placed sources run.
    const identity: WorkerIdentity = {
      host: hostname(),
      pid: process.pid,
      labels: [...(this.o.labels ?? [])],
      startedAt: Date.now(),
      ...(this.o.sourcesOnly ? { queues: false } : {}),
    };
    await Promise.all([
      this.redis.hset(this.keys.workerInfo, this.id, JSON.stringify(identity)),
      this.redis.pexpire(this.keys.workerInfo, WORKER_HASH_TTL_MS),
    ]);
    this.subscriber.on('message', () => this.scheduleSync());
    await this.subscriber.subscribe(this.keys.deploys);
    await this.sync();
    this.timer = setInterval(() => this.scheduleSync(), this.o.pollMs ?? 500);
  }

  private scheduleSync(): void {
    this.syncing = this.syncing.then(() => this.sync()).catch((err) => this.log(`sync failed: ${(err as Error).message}`));
  }

  private log(line: string): void {
    this.o.log?.(`[worker ${this.id}] ${line}`);
  }

  private async sync(): Promise<void> {
    if (this.closing) return;
    const pids = new Set(await this.redis.smembers(this.keys.pipelines));
    const deployed = new Map<string, DeployedPipeline>();
    for (const pid of pids) {
      const raw = await this.redis.get(this.keys.pipeline(pid));
      if (raw) deployed.set(pid, JSON.parse(raw) as DeployedPipeline);
    }
    // A run nobody will resume whose coordinator lease expired is gone: stop working for it.
    let gone: boolean | undefined;
    const leaseGone = async () => (gone ??= (await this.redis.exists(this.keys.lease)) === 0);
    for (const [pid, d] of deployed) {
      if (!d.ephemeral || !(await leaseGone())) continue;
      deployed.delete(pid);
      this.runGone(pid, d.generation);
    }
    for (const [pid, h] of this.hosted) {
      if (deployed.get(pid)?.generation === h.generation) continue;
      await this.unhost(pid);
      // Undeployed without a lease: another worker of the run swept it before this one looked.
      if (h.ephemeral && !deployed.has(pid) && (await leaseGone())) this.runGone(pid, h.generation);
    }
    await this.observeServing();
    for (const [pid, d] of deployed) if (!this.hosted.has(pid)) await this.host(d);
    if (!this.o.sourcesOnly)
      for (const [pid, h] of this.hosted) h.keyed.place(ownedQueueIndices(pid, h.keyed.count, this.serving, this.id));
    for (const h of this.hosted.values()) await h.taps.refresh();
    for (const h of this.hosted.values()) await h.counting.refresh();
    // Heartbeat: operators (and the benchmark) can tell how many workers serve the queues. Sent
    // in order on one connection; no MULTI, which a Redis Cluster refuses across slots.
    await Promise.all([
      this.redis.hset(this.keys.workers, this.id, String(Date.now())),
      this.redis.pexpire(this.keys.workers, WORKER_HASH_TTL_MS),
      this.redis.pexpire(this.keys.workerInfo, WORKER_HASH_TTL_MS),
    ]);
  }

  /** The live workers serving keyed queues, as this worker sees them (queue-placement.ts). */
  private async observeServing(): Promise<void> {
    const [beats, infos] = await Promise.all([this.redis.hgetall(this.keys.workers), this.redis.hgetall(this.keys.workerInfo)]);
    this.serving = this.servingWorkers.observe(beats, infos);
  }

  private runGone(pid: string, generation: string): void {
    if (this.gone.has(generation)) return;
    this.gone.add(generation);
    this.log(`${pid}: its run's coordinator lease expired; not serving it`);
    this.o.onRunGone?.(pid);
  }

  private async host(d: DeployedPipeline): Promise<void> {
    const plan = buildPlan(d.document, nodeDefinitions, { partitions: d.partitions });
    const queues = new QueueSet(this.bull, this.keys, d.pid);
    // A worker's environment may lack an hmac rule's key: it then redacts (masking fails closed).
    const privacy = pipelinePrivacy(d.document, { missingSecret: 'redact' });
    const taps = new TapPublisher(this.redis, this.keys, d.pid, (e) => privacy.mask(e));
    const counting = new EdgeRuleCounting(
      this.redis,
      this.keys,
      d.pid,
      d.generation,
      { alerts: d.document.alerts, params: d.params },
      (line) => this.log(line),
    );
    const context = {
      baseDir: d.baseDir,
      ...(d.fileRoots ? { fileRoots: d.fileRoots } : {}),
      params: d.params,
      now: Date.now,
      show: (e: Parameters<typeof privacy.mask>[0]) => privacy.mask(e),
    };
    const keyed = new KeyedQueues({
      pid: d.pid,
      plan,
      keys: this.keys,
      connections: this.bull,
      workerOptions: { name: `${this.id}:${process.pid}`, ...workerTimings() },
      task: {
        pid: d.pid,
        plan,
        generation: d.generation,
        store: this.store,
        context,
        enqueue: (jobs, markerSeenAt) => queues.addUnconfirmed(jobs, markerSeenAt),
        onTap: taps.publish,
        tallyFor: counting.tallyFor,
        onStartFailure: (failure) => reportStartFailure(this.redis, this.keys, d.pid, d.generation, failure),
      },
      ...(d.jobGroup ? { group: d.jobGroup } : {}),
      beforeSinkWrite: slowSinkDrill,
      afterStateRead: startPauseDrill(plan),
      log: (line) => this.log(line),
    });
    const h: Hosted = { generation: d.generation, ephemeral: d.ephemeral === true, taps, keyed, queues, counting };
    if (!this.o.sourcesOnly) keyed.place(ownedQueueIndices(d.pid, keyed.count, this.serving, this.id));
    if (d.sourcesOn !== 'coordinator') {
      h.sources = new SourceHost({
        redis: this.redis,
        keys: this.keys,
        deployed: d,
        plan,
        queues,
        workerId: this.id,
        labels: this.o.labels ?? [],
        context: { ...context, ingest: { hub: this.ingest, pipelineId: d.pid } },
        liveWorkers: (labels) => this.liveWorkers(labels),
        onTap: taps.publish,
        tallyFor: counting.tallyFor,
        onSourceEvents: d.record ? (nodeId, events) => recordBatch(this.recording(), d.pid, nodeId, events, privacy) : undefined,
        // What a checkpoint covers is in the recording too: a finished run's recording is whole.
        beforeCheckpoint: d.record ? () => this.recording().flush() : undefined,
        onFailure: (failure) => reportStartFailure(this.redis, this.keys, d.pid, d.generation, failure),
        log: (line) => this.log(line),
        ...(this.o.onSourcePoll ? { onPoll: this.o.onSourcePoll } : {}),
        beforePoll: this.o.beforeSourcePoll,
        onAlignmentWait: this.o.onAlignmentWait,
      });
      h.sources.start();
    }
    this.hosted.set(d.pid, h);
    this.log(`serving ${d.pid} (${keyed.serving} of its ${keyed.count} partition queues)`);
  }

  private async unhost(pid: string): Promise<void> {
    const h = this.hosted.get(pid);
    if (!h) return;
    this.hosted.delete(pid);
    // Sources first: checkpointed and released, they send nothing more to the queues.
    await h.sources?.close();
    await h.keyed.close();
    await h.queues.close();
    this.log(`released ${pid}`);
  }

  /** Graceful: finish in-flight jobs (BullMQ's close waits for them), then release everything. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing.catch(() => undefined);
    for (const pid of [...this.hosted.keys()]) await this.unhost(pid);
    await this.redis.hdel(this.keys.workers, this.id).catch(() => undefined);
    await this.redis.hdel(this.keys.workerInfo, this.id).catch(() => undefined);
    await this.recordings?.close().catch(() => undefined);
    await this.bull.close();
    await this.subscriber.quit().catch(() => undefined);
    await this.redis.quit();
  }
}
