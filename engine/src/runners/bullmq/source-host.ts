/**
 * The source partitions of one deployed pipeline that this process holds (a `sluice worker`,
 * or the coordinator for a run whose sources are replaced in memory). Every tick it reads the
 * pipeline's gate and leases, renews what it holds, and balances: it takes free partitions up to
 * its fair share and hands partitions above it over after a checkpoint. The share is counted per
 * placement (the partitions of sources with the same labels): ceil(those not ended / live workers
 * that carry those labels), so workers that may not take a partition do not shrink the others'. A partition whose lease was taken over stops at once and writes nothing
 * more. docs/source-partitions.md.
 */
import type { EdgeTally } from '../../alerts/worker-edge-tally.js';
import type { RedisClient } from './redis-client.js';
import type { Event } from '@sluice/shared';
import type { Operator, SourceOperator } from '@sluice/nodes/sdk';
import type { Plan, PlanStage } from '../../compile/plan.js';
import { StartFailure } from '../../runtime/node-errors.js';
import { BULLMQ_DEFAULT_MAX_DRIFT_MS, parseMaxDrift } from '../../runtime/source-alignment.js';
import type { ContextOptions } from '../../runtime/operator-context.js';
import { RUN_DEFAULTS } from '../runner.js';
import { BacklogGauge } from './backlog-gauge.js';
import type { DeployedPipeline } from './deployed-pipeline.js';
import type { RedisKeys } from './keys.js';
import type { QueueSet } from './queue-set.js';
import { isRunStateLost } from './run-marker.js';
import { LeaseLost, SourceCheckpoints } from './source-checkpoints.js';
import { confirmHeld, type LeaseView, partitionName, SourceLeases, type SourcePartitionRef, sourcePartitions } from './source-lease.js';
import { markSourceStarted } from './source-start.js';
import { PartitionAlignment } from './partition-alignment.js';
import { SourceUnit } from './source-unit.js';

/** Default backlog (batches waiting per keyed partition) above which sources pause. */
export const HIGH_WATER_JOBS = 50;

export interface SourceHostOptions {
  redis: RedisClient;
  keys: RedisKeys;
  deployed: DeployedPipeline;
  plan: Plan;
  queues: QueueSet;
  /** This process, as lease values name it (no ':'). */
  workerId: string;
  /** This worker's labels: partitions of a node with `placement` are taken only where all its labels are. */
  labels: readonly string[];
  context: ContextOptions;
  /** How many live workers (this one included) carry every one of `labels`; ignored with `takeAll`. */
  liveWorkers: (labels: readonly string[]) => Promise<number>;
  /** Take every partition (the coordinator running replaced sources itself). */
  takeAll?: boolean;
  onTap?: ((edgeId: string, events: Event[]) => void) | undefined;
  sourceOverrides?: Record<string, () => SourceOperator> | undefined;
  operatorOverrides?: Record<string, () => Operator> | undefined;
  onSourceEvents?: ((nodeId: string, events: readonly Event[]) => void) | undefined;
  beforeCheckpoint?: (() => Promise<void>) | undefined;
  /** Data rules' counters per source partition (worker-edge-tally.ts). */
  tallyFor?: ((stage: number, partition: number) => EdgeTally) | undefined;
  /** A partition cannot be built or its source failed: the run fails with it (start-failure-report.ts). */
  onFailure: (failure: StartFailure) => Promise<void>;
  log?: (line: string) => void;
  onPoll?: () => void;
  /** Tests: awaited before each poll of a partition (holds it back), and told of each wait for alignment. */
  beforePoll?: ((nodeId: string, partition: number) => Promise<void>) | undefined;
  onAlignmentWait?: ((nodeId: string, partition: number) => void) | undefined;
}

/** One source partition this host may take, and the placement group it counts in. */
interface Part {
  ref: SourcePartitionRef;
  stage: PlanStage;
  /** Its node's placement labels, sorted; the group's key is them joined. */
  labels: string[];
  group: string;
}

interface Held {
  ref: SourcePartitionRef;
  group: string;
  stage: PlanStage;
  lease: string;
  unit?: SourceUnit;
  /** Settles once the partition's slot is closed (and its lease released when it was let go). */
  running: Promise<void>;
  leaving: boolean;
  lost: boolean;
}

export class SourceHost {
  private readonly leases: SourceLeases;
  private readonly checkpoints: SourceCheckpoints;
  private readonly backlog: BacklogGauge;
  private readonly parts: Part[] = [];
  private readonly held = new Map<string, Held>();
  /** Partitions that failed here: not taken again by this host. */
  private readonly failed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private closing = false;
  /** Watermark alignment per source node, shared by the partitions of it held here. */
  private readonly alignments = new Map<string, PartitionAlignment>();

  constructor(private readonly o: SourceHostOptions) {
    const pid = o.deployed.pid;
    this.leases = new SourceLeases(o.redis, o.keys, pid);
    this.checkpoints = new SourceCheckpoints(o.redis, o.keys, pid);
    this.backlog = new BacklogGauge(o.plan, o.queues, o.deployed.highWaterJobs ?? HIGH_WATER_JOBS);
    for (const ref of sourcePartitions(o.plan.stages)) {
      const stage = o.plan.stages[o.plan.nodes.get(ref.nodeId)!.stage]!;
      const labels = [...(o.plan.nodes.get(ref.nodeId)!.placement ?? [])].sort();
      if (labels.every((l) => o.labels.includes(l))) this.parts.push({ ref, stage, labels, group: labels.join(',') });
    }
    // Spread: each worker tries free partitions in its own order.
    this.parts.sort((a, b) => spread(o.workerId, partitionName(a.ref)) - spread(o.workerId, partitionName(b.ref)));
  }

  /** Partitions held now, as `node#partition` (for `sluice workers`). */
  holding(): string[] {
    return [...this.held.keys()];
  }

  start(): void {
    if (this.parts.length === 0) return;
    const every = Math.max(50, Math.min(500, Math.floor(this.leases.ttlMs / 5)));
    this.schedule();
    this.timer = setInterval(() => this.schedule(), every);
  }

  private schedule(): void {
    this.ticking = this.ticking
      .then(() => this.tick())
      .catch((err) => this.o.log?.(`sources of ${this.o.deployed.pid}: ${(err as Error).message}`));
  }

  private async tick(): Promise<void> {
    if (this.closing) return;
    const gen = this.o.deployed.generation;
    const gate = await this.leases.gate();
    if (gate !== `run:${gen}`) {
      // Paused (hot redeploy), stopping, or another generation: checkpoint and let go of everything.
      for (const h of this.held.values()) this.letGo(h);
      return;
    }
    for (const h of [...this.held.values()]) {
      if (h.leaving) continue;
      if (!(await this.leases.renew(h.ref, h.lease))) this.lose(h);
    }
    const views = await this.leases.view(this.parts.map((p) => p.ref));
    for (const [group, indices] of groupBy(this.parts)) await this.balance(gen, group, indices, views);
  }

  /** One placement group: take free partitions up to the fair share, or hand the newest over above it. */
  private async balance(gen: string, group: string, indices: number[], views: readonly LeaseView[]): Promise<void> {
    const open = indices.filter((i) => views[i]!.kind !== 'done').length;
    if (open === 0) return;
    const labels = this.parts[indices[0]!]!.labels;
    const share = this.o.takeAll ? Number.POSITIVE_INFINITY : Math.ceil(open / Math.max(1, await this.o.liveWorkers(labels)));
    const mineHeld = [...this.held.values()].filter((h) => !h.leaving && h.group === group);
    let mine = mineHeld.length;
    if (mine > share) {
      // Above the fair share (a worker joined): hand the newest over at their next checkpoint.
      for (const h of mineHeld.reverse()) {
        if (mine <= share) break;
        this.letGo(h);
        mine--;
      }
      return;
    }
    for (const i of indices) {
      if (mine >= share) break;
      const part = this.parts[i]!;
      const name = partitionName(part.ref);
      if (views[i]!.kind !== 'free' || this.held.has(name) || this.failed.has(name)) continue;
      const lease = await this.leases.acquire(part.ref, this.o.workerId, gen);
      if (!lease) continue;
      mine++;
      this.take(part, lease);
    }
  }

  private take(part: Part, lease: string): void {
    const { ref, stage, group } = part;
    const name = partitionName(ref);
    const h: Held = { ref, group, stage, lease, running: Promise.resolve(), leaving: false, lost: false };
    this.held.set(name, h);
    h.running = this.runPartition(h).finally(() => {
      if (this.held.get(name) === h) this.held.delete(name);
    });
  }

  private async runPartition(h: Held): Promise<void> {
    const { o } = this;
    const d = o.deployed;
    const name = partitionName(h.ref);
    let outcome: 'done' | 'release' | 'lost' = 'release';
    try {
      h.unit = await SourceUnit.open({
        plan: o.plan,
        stage: h.stage,
        partition: h.ref.partition,
        generation: d.generation,
        lease: h.lease,
        context: o.context,
        checkpoints: this.checkpoints,
        queues: o.queues,
        backlog: this.backlog,
        batchSize: d.batchSize,
        batchDelayMs: d.batchDelayMs ?? RUN_DEFAULTS.batchDelayMs,
        onTap: o.onTap,
        sourceOverrides: o.sourceOverrides,
        operatorOverrides: o.operatorOverrides,
        onSourceEvents: o.onSourceEvents,
        beforeCheckpoint: o.beforeCheckpoint,
        tally: o.tallyFor?.(h.stage.id, h.ref.partition),
        confirmLease: () => confirmHeld(this.leases, h.ref, h.lease),
        ...(o.onPoll ? { onPoll: o.onPoll } : {}),
        alignment: this.alignmentOf(h.ref.nodeId),
        beforePoll: o.beforePoll ? () => o.beforePoll!(h.ref.nodeId, h.ref.partition) : undefined,
        onAlignmentWait: o.onAlignmentWait ? () => o.onAlignmentWait!(h.ref.nodeId, h.ref.partition) : undefined,
      });
      if (h.leaving) h.unit.stop(h.lost ? 'lost' : 'release');
      await markSourceStarted(o.redis, o.keys, d.pid, name, d.generation);
      o.log?.(`${d.pid}: source partition ${name} taken (lease ${h.lease.split(':')[2]})`);
      outcome = await h.unit.run();
    } catch (err) {
      if (err instanceof LeaseLost) outcome = 'lost';
      else if (isRunStateLost((err as Error).message)) outcome = 'lost';
      else {
        this.failed.add(name);
        const failure = err instanceof StartFailure ? err : new StartFailure(h.ref.nodeId, err);
        o.log?.(`${d.pid}: source partition ${name} failed: ${failure.message}`);
        await o.onFailure(failure).catch(() => undefined);
      }
    }
    if (outcome === 'release') await this.leases.release(h.ref, h.lease).catch(() => undefined);
    if (outcome !== 'done') o.log?.(`${d.pid}: source partition ${name} ${outcome === 'lost' ? 'lost to another worker' : 'released'}`);
  }

  private alignmentOf(nodeId: string): PartitionAlignment {
    let a = this.alignments.get(nodeId);
    if (!a) {
      const { redis, keys, deployed, plan } = this.o;
      const partitions = sourcePartitions(plan.stages).filter((r) => r.nodeId === nodeId).length;
      // A deployment written before alignment existed has no drift: the default.
      const drift = parseMaxDrift(deployed.maxDriftMs, `the deployment of ${deployed.pid}`, BULLMQ_DEFAULT_MAX_DRIFT_MS);
      a = new PartitionAlignment(redis, keys, deployed.pid, nodeId, partitions, drift);
      this.alignments.set(nodeId, a);
    }
    return a;
  }

  /** Checkpoint, close and release (a handover, a pause, a stop). */
  private letGo(h: Held): void {
    if (h.leaving) return;
    h.leaving = true;
    h.unit?.stop('release');
  }

  /** The lease is someone else's now: stop without writing anything. */
  private lose(h: Held): void {
    h.leaving = true;
    h.lost = true;
    h.unit?.stop('lost');
  }

  /** SIGTERM, undeploy, another generation: every partition checkpointed and released. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking.catch(() => undefined);
    for (const h of this.held.values()) this.letGo(h);
    await Promise.all([...this.held.values()].map((h) => h.running));
  }
}

/** Part indices by placement group, each in the host's own (spread) order. */
function groupBy(parts: readonly Part[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  parts.forEach((p, i) => {
    const g = groups.get(p.group);
    if (g) g.push(i);
    else groups.set(p.group, [i]);
  });
  return groups;
}

/** A stable per-worker order of partitions (FNV-1a of worker and partition). */
function spread(worker: string, name: string): number {
  let h = 0x811c9dc5;
  const text = `${worker}/${name}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
