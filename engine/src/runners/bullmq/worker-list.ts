/**
 * Who serves the BullMQ queues: `sluice workers` and GET /api/workers. Read-only: it writes
 * nothing, prunes nothing.
 *
 * Each worker beats in the `workers` hash (id -> epoch ms, every ~0.5 s) and says who it is
 * once in `worker-info` (id -> host, pid, labels). What it holds: the partition queues where it
 * is processing a batch right now, read from each queue's active jobs, which BullMQ stamps with
 * the worker's name `<id>:<pid>` (worker-pool.ts): each keyed queue is served by the worker
 * placement gives it (queue-placement.ts), one batch at a time per queue. And the source partitions whose lease it holds
 * (`<pipeline>.<node>#<partition>`, docs/source-partitions.md).
 */
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { RedisClient } from './redis-client.js';
import { buildPlan } from '../../compile/plan.js';
import type { DeployedPipeline } from './deployed-pipeline.js';
import type { RedisKeys } from './keys.js';
import { readLease } from './source-lease.js';

/** A heartbeat older than this: the worker is presumably gone (killed, hung, cut off). */
export const LIVE_HEARTBEAT_MS = 5000;

/** What a worker says about itself at start (worker-pool.ts). */
export interface WorkerIdentity {
  host: string;
  pid: number;
  labels: string[];
  startedAt: number;
  /** False for a worker that serves no keyed queue (sources only): placement leaves it out. */
  queues?: boolean;
}

export interface WorkerView {
  id: string;
  /** Unknown (null) for a worker that beats without having said who it is. */
  host: string | null;
  pid: number | null;
  labels: string[];
  /** Queues `<pipeline>.s<stage>.p<partition>` where it processes a batch now, and source partitions `<pipeline>.<node>#<partition>` it leases. */
  holds: string[];
  heartbeatAgeMs: number;
  /** Beat within LIVE_HEARTBEAT_MS. */
  live: boolean;
}

/** Every worker with a heartbeat entry, live ones first, then by id. */
export async function listWorkers(redis: RedisClient, keys: RedisKeys, now = Date.now()): Promise<WorkerView[]> {
  const [beats, infos] = await Promise.all([redis.hgetall(keys.workers), redis.hgetall(keys.workerInfo)]);
  const holds = await heldQueues(redis, keys);
  const out = Object.entries(beats).map(([id, at]): WorkerView => {
    const info = parseIdentity(infos[id]);
    const heartbeatAgeMs = Math.max(0, now - Number(at));
    return {
      id,
      host: info?.host ?? null,
      pid: info?.pid ?? null,
      labels: info?.labels ?? [],
      holds: (holds.get(id) ?? []).sort(),
      heartbeatAgeMs,
      live: heartbeatAgeMs <= LIVE_HEARTBEAT_MS,
    };
  });
  return out.sort((a, b) => Number(b.live) - Number(a.live) || a.id.localeCompare(b.id));
}

function parseIdentity(raw: string | undefined): WorkerIdentity | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<WorkerIdentity>;
    if (typeof v.host !== 'string' || typeof v.pid !== 'number') return undefined;
    return {
      host: v.host,
      pid: v.pid,
      labels: Array.isArray(v.labels) ? v.labels.filter((l) => typeof l === 'string') : [],
      startedAt: Number(v.startedAt),
    };
  } catch {
    return undefined;
  }
}

/**
 * Workers that beat within `maxAgeMs` and carry every label of `labels` (a source's placement):
 * the workers a placed partition's fair share divides by (source-host.ts). At least 1.
 */
export async function liveWorkersWith(redis: RedisClient, keys: RedisKeys, labels: readonly string[], maxAgeMs: number): Promise<number> {
  return Math.max(1, await countLiveWorkersWith(redis, keys, labels, maxAgeMs));
}

/** As liveWorkersWith, but 0 when there is none. */
export async function countLiveWorkersWith(
  redis: RedisClient,
  keys: RedisKeys,
  labels: readonly string[],
  maxAgeMs: number,
): Promise<number> {
  const now = Date.now();
  const beats = await redis.hgetall(keys.workers);
  const live = Object.entries(beats).filter(([, t]) => now - Number(t) <= maxAgeMs);
  if (labels.length === 0) return live.length;
  const infos = await redis.hgetall(keys.workerInfo);
  return live.filter(([id]) => {
    const info = parseIdentity(infos[id]);
    return info !== undefined && labels.every((l) => info.labels.includes(l));
  }).length;
}

/** Worker id -> queues with an active job it took (BullMQ's `pb` field: `<id>:<pid>`). */
async function heldQueues(redis: RedisClient, keys: RedisKeys): Promise<Map<string, string[]>> {
  const held = new Map<string, string[]>();
  for (const pid of await redis.smembers(keys.pipelines)) {
    const raw = await redis.get(keys.pipeline(pid));
    if (!raw) continue;
    const d = JSON.parse(raw) as DeployedPipeline;
    const plan = buildPlan(d.document, nodeDefinitions, { partitions: d.partitions });
    for (const stage of plan.stages) {
      if (stage.source !== undefined) {
        for (let p = 0; p < stage.partitions; p++) {
          const lease = readLease(await redis.get(keys.sourceLease(pid, stage.source, p)));
          if (lease.kind === 'held') held.set(lease.worker, [...(held.get(lease.worker) ?? []), `${pid}.${stage.source}#${p}`]);
        }
        continue;
      }
      for (let p = 0; p < stage.partitions; p++) {
        const queue = keys.queue(pid, stage.id, p);
        // BullMQ's own layout: <prefix>:<queue>:active lists job ids, <prefix>:<queue>:<id> is the job.
        const active = await redis.lrange(`${keys.prefix}:${queue}:active`, 0, -1);
        for (const jobId of active) {
          const by = await redis.hget(`${keys.prefix}:${queue}:${jobId}`, 'pb');
          const worker = by?.split(':')[0];
          if (worker) held.set(worker, [...(held.get(worker) ?? []), queue.replace(/^\{|\}$/g, '')]); // shown without its hash tag
        }
      }
    }
  }
  return held;
}
