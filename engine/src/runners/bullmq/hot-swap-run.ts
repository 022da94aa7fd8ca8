/**
 * A hot redeploy of a BullMQ run, as its coordinator (bullmq-run.ts) drives it: pause the
 * sources through the gate, drain the queues, re-cut the old state along the new plan, write the
 * new definition under a new generation and open the gate for it (docs/hot-redeploy.md). Every
 * write that changes the run is fenced by the coordinator's leader token (coordinator-fence.ts).
 */
import { randomUUID } from 'node:crypto';
import { paramValues } from '@sluice/shared';
import type { Operator, SourceOperator } from '@sluice/nodes/sdk';
import type { Plan } from '../../compile/plan.js';
import type { RedeployDiff } from '../../compile/redeploy-diff.js';
import { diffPlans } from '../../compile/redeploy-diff.js';
import { NodeCounters } from '../../metrics/node-counters.js';
import { OperatorBuild } from '../../runtime/operator-build.js';
import { HotSwapRefused } from '../runner.js';
import type { PendingSwap } from '../shared/run-lifecycle.js';
import type { CoordinatorFence } from './coordinator-fence.js';
import type { DeployedPipeline } from './deployed-pipeline.js';
import { ExchangeBuffer } from './exchange-buffer.js';
import { collectTask, emptyOldState, freshTaskSnapshot, newTaskState } from './hot-swap-state.js';
import type { RedisKeys } from './keys.js';
import { waitDrained } from './queue-drain.js';
import type { QueueSet } from './queue-set.js';
import type { RedisClient } from './redis-client.js';
import type { SourceCheckpoint, SourceCheckpoints } from './source-checkpoints.js';
import { type SourceLeases, type SourcePartitionRef, sourcePartitions } from './source-lease.js';
import { TaskStateStore } from './task-state-store.js';

/** How long a hot redeploy waits for the sources to park and the queues to drain before it gives up. */
const SWAP_DRAIN_MS = 60_000;

/** What a swap reads and drives of the run it changes. */
export interface SwapRunContext {
  pid: string;
  redis: RedisClient;
  keys: RedisKeys;
  fence: CoordinatorFence;
  checkpoints: SourceCheckpoints;
  leases: SourceLeases;
  queues: QueueSet;
  deployed: DeployedPipeline;
  plan: Plan;
  now: (() => number) | undefined;
  stopping: () => boolean;
  setGate: (state: 'run' | 'pause' | 'stop', generation: string) => Promise<void>;
  /** True once no worker holds a source partition of `plan`; false at the deadline. */
  waitSourcesReleased: (plan: Plan, timeoutMs: number) => Promise<boolean>;
}

/**
 * Hot redeploy (docs/hot-redeploy.md). The gate is set to pause: every worker checkpoints its
 * source partitions and lets go of them; the queues drain (every batch sent is applied and
 * committed); the old state (tasks in Redis, source partitions in their checkpoints) is
 * re-cut along the new plan's stages; the old queues are emptied; kept source partitions get
 * checkpoints that restart their channels and re-send their watermark; the new definition is
 * published with a new generation and the gate opens for it. A batch of the new generation is
 * refused by a worker still on the old one. Undefined when the swap was refused (`swap` is
 * rejected then, and the run goes on as it was); the caller switches over to what it answers.
 */
export async function swapPipeline(
  ctx: SwapRunContext,
  swap: PendingSwap,
): Promise<{ deployed: DeployedPipeline; diff: RedeployDiff } | undefined> {
  const { pid } = ctx;
  const before = ctx.plan;
  const after = swap.plan;
  const diff = diffPlans(before, after);
  const kept = new Set(diff.kept);
  const oldGen = ctx.deployed.generation;
  try {
    await trialBuild(ctx, after, swap);
  } catch (err) {
    swap.reject(err); // nothing paused yet: the run goes on as it was
    return undefined;
  }
  const reopen = async (why: string) => {
    await ctx.setGate('run', oldGen);
    await ctx.redis.publish(ctx.keys.deploys, pid);
    swap.reject(new HotSwapRefused(why));
  };
  await ctx.setGate('pause', oldGen);
  await ctx.redis.publish(ctx.keys.deploys, pid);
  if (!(await ctx.waitSourcesReleased(before, SWAP_DRAIN_MS))) {
    await reopen(`the source partitions were not let go within ${SWAP_DRAIN_MS / 1000} s`);
    return undefined;
  }
  if (!(await waitDrained(before, ctx.queues, SWAP_DRAIN_MS, () => ctx.stopping()))) {
    await reopen(ctx.stopping() ? 'the run is stopping' : `the queues did not drain within ${SWAP_DRAIN_MS / 1000} s`);
    return undefined;
  }
  // The old plan's state: every source partition's checkpoint, then every task in Redis.
  const store = new TaskStateStore(ctx.redis, ctx.keys);
  const old = emptyOldState();
  const oldCheckpoints = new Map<string, SourceCheckpoint>();
  for (const ref of sourcePartitions(before.stages)) {
    const cp = await ctx.checkpoints.read(ref.nodeId, ref.partition);
    if (!cp) continue;
    if (cp.pending) {
      await reopen('a source batch interrupted by a crash is being read again');
      return undefined;
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
    ...ctx.deployed,
    generation: randomUUID(),
    document: swap.document,
    params: { ...paramValues(swap.document), ...swap.options.params },
    partitions: swap.options.partitions ?? ctx.deployed.partitions,
    batchSize: swap.options.batchSize ?? ctx.deployed.batchSize,
  };
  // Redis: the old queues (and the ids of their completed jobs) and task state go, the carried
  // state comes in; the new definition goes last. BullMQ's obliterate and the task store are
  // not the fence's scripts: the fence is checked just before (docs/multi-server.md).
  await ctx.fence.check('swap: queues and task state');
  for (const s of before.stages) {
    if (s.source !== undefined) continue;
    for (let p = 0; p < s.partitions; p++) {
      await ctx.queues.queue(s.id, p).obliterate({ force: true });
      await store.replace(pid, s.id, p, undefined);
    }
  }
  for (const s of after.stages) {
    if (s.source !== undefined) continue;
    for (let p = 0; p < s.partitions; p++) {
      const c = newTaskState(before, after, old, s.id, p);
      if (c) await store.replace(pid, s.id, p, freshTaskSnapshot(c));
      await ctx.queues.queue(s.id, p).setGlobalConcurrency(1);
    }
  }
  const newParts = sourcePartitions(after.stages);
  const stillThere = new Set(newParts.map((r) => `${r.nodeId}#${r.partition}`));
  for (const ref of sourcePartitions(before.stages))
    if (!stillThere.has(`${ref.nodeId}#${ref.partition}`)) await ctx.fence.del('swap', ctx.checkpoints.keysOf(ref.nodeId, ref.partition));
  for (const ref of newParts) await writeSwappedCheckpoint(ctx, ref, kept, before, after, old, oldCheckpoints);
  await ctx.fence.del(
    'swap',
    newParts.map((r) => ctx.leases.key(r)),
  );
  await ctx.fence.set('swap', ctx.keys.pipeline(pid), JSON.stringify(deployed));
  await ctx.setGate('run', deployed.generation);
  await ctx.redis.publish(ctx.keys.deploys, pid);
  return { deployed, diff };
}

/**
 * Before anything pauses: the new plan's source stages are built here once and closed again,
 * so an operator that cannot be created (an enrich table that does not exist) refuses the swap
 * while the running version goes on. Sources and sinks are stand-ins: nothing is read, and no
 * file is opened for writing (a sink's start may empty its file).
 */
async function trialBuild(ctx: SwapRunContext, after: Plan, swap: PendingSwap): Promise<void> {
  const sourceOverrides: Record<string, () => SourceOperator> = {};
  const operatorOverrides: Record<string, () => Operator> = {};
  for (const node of after.nodes.values()) {
    if (node.isSource) sourceOverrides[node.id] = () => ({ poll: () => ({ events: [], watermark: Number.NEGATIVE_INFINITY, done: true }) });
    else if (node.isSink) operatorOverrides[node.id] = () => ({ process: () => undefined });
  }
  const context = {
    baseDir: ctx.deployed.baseDir,
    ...(ctx.deployed.fileRoots ? { fileRoots: ctx.deployed.fileRoots } : {}),
    params: { ...paramValues(swap.document), ...swap.options.params },
    now: ctx.now ?? Date.now,
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
async function writeSwappedCheckpoint(
  ctx: SwapRunContext,
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
    await ctx.fence.del('swap', ctx.checkpoints.keysOf(ref.nodeId, ref.partition));
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
  await ctx.checkpoints.write(ref.nodeId, ref.partition, cp, '', '', ctx.fence.token);
}
