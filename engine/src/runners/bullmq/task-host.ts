/**
 * One task (stage partition) hosted by a worker: applies batch jobs in channel order, exactly
 * once, and commits operator state together with the ids of the batches applied. A worker may
 * lose a task to another worker at any time (a crash, a pause past its BullMQ lock): before the
 * first side effect of a job the host claims the task at the version it holds (reloading when
 * someone else moved it on), and only that claim's token can commit. The claim pins which job
 * version v applies, so a stale worker that wakes up repeats, byte for byte, what the current
 * one did (docs/bullmq-runner.md, "Effectively once").
 */
import type { Operator } from '@sluice/nodes/sdk';
import type { Event } from '@sluice/shared';
import type { EdgeTally } from '../../alerts/worker-edge-tally.js';
import type { Plan, PlanNode, PlanStage } from '../../compile/plan.js';
import { Histogram } from '../../metrics/histogram.js';
import { ErrorSamples } from '../../metrics/error-samples.js';
import { copyCounts, NodeCounters, samplesByNode } from '../../metrics/node-counters.js';
import { StartFailure } from '../../runtime/node-errors.js';
import { buildOperators, settleStarts } from '../../runtime/operator-build.js';
import type { ContextOptions } from '../../runtime/operator-context.js';
import { Task } from '../../runtime/task.js';
import { type BatchJob, decodeEvents, decodeWatermark } from './batch-codec.js';
import { ExchangeBuffer, type OutgoingJob } from './exchange-buffer.js';
import {
  groupKey,
  inputChannels,
  isMember,
  JOB_GROUP_DEFAULTS,
  type JobGroupLimits,
  parseGroupKey,
  pickNext,
  type WaitingJobs,
} from './job-group.js';
import { jobId } from './keys.js';
import { confirmedBy, type Landed } from './queue-set.js';
import type { CountersSnapshot, TaskChanges, TaskSnapshot, TaskStateStore } from './task-state-store.js';

/** Thrown for a batch that arrived before its predecessor: retried later, never applied early. */
export class OutOfOrderBatch extends Error {
  readonly code = 'out-of-order';
}
/** Another process committed this task meanwhile: the batch is retried against fresh state. */
export class StaleTask extends Error {
  readonly code = 'stale-task';
}
/** Another worker claimed this version for another batch, whose side effects may be in flight: that one goes first. */
export class ClaimPending extends Error {
  readonly code = 'claim-pending';
}
/** A batch of another deploy generation (a hot redeploy is being picked up): retried by a worker that has it. */
export class StaleGeneration extends Error {
  readonly code = 'stale-generation';
}

export interface TaskHostOptions {
  pid: string;
  plan: Plan;
  stage: PlanStage;
  partition: number;
  /** The deploy generation of `plan`: batches of another one are refused. */
  generation?: string;
  store: TaskStateStore;
  context: ContextOptions;
  /**
   * Adds the jobs to their queues (before the commit: a crash in between only duplicates ids).
   * `markerSeenAt`: when the claim that found the run marker was asked (QueueSet.add). The
   * marker is not asked again after them: the commit does (QueueSet.addUnconfirmed).
   */
  enqueue: (jobs: OutgoingJob[], markerSeenAt?: number) => Promise<Landed | undefined>;
  onTap?: (edgeId: string, events: Event[]) => void;
  /** This task cannot be built here (an operator's create, restore or onStart threw): the run fails with it. */
  onStartFailure?: (failure: StartFailure) => Promise<void>;
  /** Called before a batch's sink writes (the slow-sink drill blocks there; worker-pool.ts). */
  beforeSinkWrite?: (seqs: readonly number[]) => void;
  /** Called between reading the task's committed state and building from it (the start-pause drill blocks there). */
  afterStateRead?: (fresh: boolean) => void;
  /** Data rules' counters of this task's edges, published before each commit (docs/alerts.md). */
  tallyFor?: (stage: number, partition: number) => EdgeTally;
  /** The task's queue, read for jobs to apply with the one in hand (absent: one job a step). */
  waiting?: WaitingJobs;
  /** Bounds of a job group (default JOB_GROUP_DEFAULTS). */
  group?: JobGroupLimits;
}

export class TaskHost {
  private task!: Task;
  /** The task's operators are open (built and not closed since). */
  private live = false;
  private exchange!: ExchangeBuffer;
  private counters = new Map<string, NodeCounters>();
  private sinkLatency = new Map<string, Histogram>();
  private applied: Record<string, number> = {};
  private version = -1;
  private done = false;
  /** Operators started fresh (no committed state for them) and their start is not committed yet. */
  private fresh = false;
  /** The operators that started fresh in the current build, until their start is settled. */
  private unsettled: Operator[] = [];

  private readonly tally: EdgeTally | undefined;
  /** The task's input channels (job-group.ts), worked out on first use. */
  private channels: { edge: string; from: number }[] | undefined;

  constructor(private readonly o: TaskHostOptions) {
    this.tally = o.tallyFor?.(o.stage.id, o.partition);
  }

  /**
   * Apply one batch job, with the jobs waiting behind it that come next in their channels (a
   * job group: job-group.ts); returns false when it was a duplicate.
   */
  async apply(job: BatchJob): Promise<boolean> {
    const { store, pid, stage, partition, generation } = this.o;
    if (job.gen !== undefined && generation !== undefined && job.gen !== generation) {
      throw new StaleGeneration(`task ${stage.id}/${partition}: batch of deploy ${job.gen}, this worker runs ${generation}`);
    }
    const channel = Task.channelId(job.edge, job.from);
    // Applied numbers only grow: one held at a committed version is a duplicate (a group took it) without asking Redis.
    if (this.version >= 0 && job.seq <= (this.applied[channel] ?? 0)) return false;
    if (this.version < 0 || (this.applied[channel] ?? 0) + 1 !== job.seq) await this.reloadIfBehind();
    if (this.fresh) await this.commitStart();
    const last = this.applied[channel] ?? 0;
    if (job.seq <= last) return false;
    if (job.seq > last + 1) throw new OutOfOrderBatch(`${channel}: batch ${job.seq} arrived before ${last + 1}`);
    let group = await this.gather(job);
    // The claim also tells whether this worker is behind: a worker must reload before it touches anything.
    let asked = Date.now();
    let claim = await store.claim(pid, stage.id, partition, this.version, groupKey(group));
    if ('pending' in claim) {
      // Another worker pinned this version for a group it may still be applying: that group, or nothing.
      const pinned = await this.adopt(job, claim.pinned);
      if (!pinned) throw new ClaimPending(`task ${stage.id}/${partition}: version ${this.version} is claimed for another batch`);
      group = pinned;
      asked = Date.now();
      claim = await store.claim(pid, stage.id, partition, this.version, claim.pinned);
      if ('pending' in claim) throw new ClaimPending(`task ${stage.id}/${partition}: version ${this.version} is claimed for another batch`);
    }
    if ('stale' in claim) {
      await this.reload();
      return this.apply(job);
    }
    const { token } = claim;
    try {
      this.tally?.begin();
      const out: OutgoingJob[] = [];
      for (const j of group) {
        const ch = Task.channelId(j.edge, j.from);
        const edge = this.o.plan.edges.find((e) => e.id === j.edge);
        if (!edge) throw new Error(`unknown edge ${j.edge}`);
        if (j.n > 0) this.task.deliver(edge.target, edge.targetPort, decodeEvents(j));
        this.task.advance(ch, decodeWatermark(j.wm));
        this.applied[ch] = j.seq;
        // Drained per job: downstream gets the very jobs (ids, contents, watermarks) one job at a time would send.
        for (const o of this.exchange.drain()) out.push(o);
      }
      if (this.o.stage.nodes.some((id) => this.o.plan.nodes.get(id)!.isSink)) this.o.beforeSinkWrite?.(group.map((j) => j.seq));
      await this.task.flushSinks();
      if (this.task.watermark === Number.POSITIVE_INFINITY) this.done = true;
      // The commit's script asks the run marker after the jobs landed (QueueSet.addUnconfirmed).
      const landed = await this.o.enqueue(out, asked);
      await confirmedBy(landed, async () => {
        await this.tally?.end(this.exchange.edgeCounts);
        await this.commit(token);
      });
      return true;
    } catch (err) {
      this.version = -1; // in-memory state may be ahead of what is committed: reload next time
      throw err;
    }
  }

  /** `held` and the waiting jobs that come next in their channels, within the group limits. */
  private async gather(held: BatchJob): Promise<BatchJob[]> {
    const { waiting, stage, partition } = this.o;
    const limits = this.o.group ?? JOB_GROUP_DEFAULTS;
    if (!waiting || limits.jobs <= 1 || held.n >= limits.events) return [held];
    this.channels ??= inputChannels(this.o.plan, stage);
    // Twice the room: a duplicate or an early job among them is skipped, not a reason to stop.
    const picked = pickNext(held, this.applied, this.channels, await waiting.ids(2 * limits.jobs), limits.jobs - 1);
    if (picked.length === 0) return [held];
    const found = await waiting.jobs(picked.map((m) => m.id));
    const group = [held];
    let events = held.n;
    for (const [i, m] of picked.entries()) {
      const j = found[i];
      // A prefix only: a member missing, of another deploy or past the bound ends the group there.
      if (!isMember(j, m, partition) || j.gen !== held.gen || events + j.n > limits.events) break;
      group.push(j);
      events += j.n;
    }
    return group;
  }

  /**
   * The group another worker pinned at this version, when it starts with `held` and every other
   * member can be read from the queue (the pinning worker may have died: someone must apply it).
   */
  private async adopt(held: BatchJob, pinned: string): Promise<BatchJob[] | undefined> {
    const members = parseGroupKey(pinned);
    const first = members?.[0];
    if (!members || !first || first.edge !== held.edge || first.from !== held.from || first.seq !== held.seq) return undefined;
    const rest = members.slice(1);
    if (rest.length === 0) return [held];
    const found = (await this.o.waiting?.jobs(rest.map((m) => jobId(m.edge, m.from, held.to, m.seq)))) ?? [];
    const group = [held];
    for (const [i, m] of rest.entries()) {
      const j = found[i];
      if (!isMember(j, m, this.o.partition)) return undefined;
      group.push(j);
    }
    return group;
  }

  private async reloadIfBehind(): Promise<void> {
    const { pid, stage, partition, store } = this.o;
    if ((await store.version(pid, stage.id, partition)) !== this.version) await this.reload();
  }

  /**
   * Operators that started fresh (no committed state) commit that start before any batch: a
   * sink's start (e.g. the file length it appends at) must be one value for every worker, not
   * whatever each sees when it builds the task.
   */
  private async commitStart(): Promise<void> {
    const { pid, stage, partition, store } = this.o;
    const claim = await store.claim(pid, stage.id, partition, this.version, 'start');
    if ('token' in claim) {
      try {
        await this.commit(claim.token);
      } catch (err) {
        if (!(err instanceof StaleTask)) {
          this.unsettled = []; // it may have landed: whoever restores it acts on it; nobody undoes it
          throw err;
        }
      }
      if (!this.fresh) {
        // Only now may a start act on what others can see (a file sink replaces its file).
        settleStarts(this.takeUnsettled(), true);
        return;
      }
    }
    // Another worker started it first: this start never will be (reload undoes it); take that one.
    await this.reload();
    if (this.fresh) throw new StaleTask(`task ${stage.id}/${partition}: its start is being committed by another worker`);
  }

  private takeUnsettled(): Operator[] {
    const ops = this.unsettled;
    this.unsettled = [];
    return ops;
  }

  private async commit(token: number): Promise<void> {
    const { pid, stage, partition, store } = this.o;
    const changes: TaskChanges = {};
    for (const [id, inst] of this.task.instances) changes[id] = inst.state.keyedChanges();
    const v = await store.commit(pid, stage.id, partition, this.version, this.snapshot(), changes, token);
    if (v < 0) {
      this.version = -1;
      throw new StaleTask(`task ${stage.id}/${partition} was committed or claimed by another worker`);
    }
    this.version = v;
    this.fresh = false;
    for (const inst of this.task.instances.values()) inst.state.markClean();
  }

  private async reload(): Promise<void> {
    // A start built here and never committed (its commit not tried, or refused) never will be.
    settleStarts(this.takeUnsettled(), false);
    await this.closeOperators();
    this.version = -1; // nothing here is current until a build succeeds
    const { pid, stage, partition, store } = this.o;
    const { version, snapshot } = await store.load(pid, stage.id, partition);
    this.o.afterStateRead?.(snapshot === undefined);
    try {
      await this.build(snapshot);
    } catch (err) {
      // Retrying the batch would fail the same way for ever: the coordinator fails the run instead.
      if (err instanceof StartFailure) await this.o.onStartFailure?.(err);
      throw err;
    }
    this.version = version;
    // Also a task carried over by a hot redeploy with a node reset in it: that node's start is new.
    this.fresh = snapshot === undefined || this.unsettled.length > 0;
  }

  private async build(snapshot: TaskSnapshot | undefined): Promise<void> {
    const { plan, stage, partition } = this.o;
    const exchange = new ExchangeBuffer(plan, stage, partition, snapshot?.exchange);
    const { onTap } = this.o;
    const tally = this.tally;
    exchange.onTap = tally
      ? (edgeId, events) => {
          onTap?.(edgeId, events);
          tally.observe(edgeId, events);
        }
      : onTap;
    exchange.generation = this.o.generation;
    const counters = new Map<string, NodeCounters>();
    const sinkLatency = new Map<string, Histogram>();
    const hist = snapshot?.counters.hist;
    const meters = (node: PlanNode) => {
      const c = new NodeCounters();
      Object.assign(c, snapshot?.counters.nodes[node.id] ?? {});
      c.samples = new ErrorSamples(snapshot?.counters.errors?.[node.id]);
      const batchTimes = hist?.batch[node.id];
      if (batchTimes) c.batchTimes.merge(Histogram.fromSparse(batchTimes));
      counters.set(node.id, c);
      let latency: Histogram | undefined;
      if (node.isSink) sinkLatency.set(node.id, (latency = Histogram.fromSparse(hist?.latency[node.id] ?? [])));
      return { counters: c, latency, trackState: true };
    };
    const state = new Map(Object.entries(snapshot?.operators ?? {}).map(([id, s]) => [`${id}#${partition}`, s]));
    const { task, fresh } = await buildOperators(
      { context: this.o.context, carry: { state, sources: new Map() }, settlesStarts: true },
      (build) => build.task(plan, stage, partition, exchange, meters),
    );
    this.task = task;
    this.unsettled = fresh;
    this.live = true;
    this.exchange = exchange;
    this.counters = counters;
    this.sinkLatency = sinkLatency;
    this.exchange.edgeCounts = { ...(snapshot?.counters.edges ?? {}) };
    this.applied = { ...(snapshot?.applied ?? {}) };
    this.done = snapshot?.counters.done ?? false;
    if (snapshot) this.task.restoreWatermarks(snapshot.channels, snapshot.watermark);
  }

  /** The commit's head: everything but keyed entries, which go as changes. */
  private snapshot(): TaskSnapshot {
    const operators: TaskSnapshot['operators'] = {};
    for (const [id, inst] of this.task.instances) operators[id] = inst.state.snapshot({ clone: false, keyed: false }); // packed right away
    const nodes: CountersSnapshot['nodes'] = {};
    const hist: NonNullable<CountersSnapshot['hist']> = { batch: {}, latency: {} };
    for (const [id, c] of this.counters) {
      nodes[id] = copyCounts(c);
      if (c.batchTimes.count > 0) hist.batch[id] = c.batchTimes.toSparse();
    }
    for (const [id, h] of this.sinkLatency) if (h.count > 0) hist.latency[id] = h.toSparse();
    const wm = this.task.watermark;
    return {
      applied: this.applied,
      channels: this.task.channelWatermarks(),
      watermark: wm,
      exchange: this.exchange.state,
      operators,
      counters: {
        nodes,
        edges: this.exchange.edgeCounts,
        watermark: Number.isFinite(wm) ? wm : null,
        done: this.done,
        hist,
        errors: samplesByNode(this.counters),
      },
    };
  }

  async close(): Promise<void> {
    await this.closeOperators();
  }

  private async closeOperators(): Promise<void> {
    if (!this.live) return;
    this.live = false;
    await this.task.closeOperators();
  }
}
