/**
 * A task's committed state in Redis. The commit is one atomic script (compare-and-set on the
 * version): state, counters and version move together, and a worker whose view is stale (the
 * task moved to another worker meanwhile) cannot overwrite newer state.
 */
import type { Redis } from 'ioredis';
import { pack, unpack } from 'msgpackr';
import type { StateSnapshot } from '@sluice/nodes/sdk';
import type { ExchangeState } from './exchange-buffer.js';
import type { RedisKeys } from './keys.js';

export interface CountersSnapshot {
  nodes: Record<string, { in: number; out: number; errors: number; late: number; dropped: number; batches: number; busyMs: number }>;
  edges: Record<string, number>;
  watermark: number | null;
  done: boolean;
  /**
   * Batch-time and sink-latency histograms (sparse), committed with the counters: exact across
   * worker crashes and final the moment the task is done (no flush to wait for).
   */
  hist?: { batch: Record<string, [number, number][]>; latency: Record<string, [number, number][]> };
}

export interface TaskSnapshot {
  /** Last sequence number applied per input channel. */
  applied: Record<string, number>;
  channels: Record<string, number>;
  watermark: number;
  exchange: ExchangeState;
  operators: Record<string, StateSnapshot>;
  counters: CountersSnapshot;
}

const COMMIT_TASK_STATE = `
-- KEYS: version, state, counters; ARGV: expected version, state, counters
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('SET', KEYS[1], v + 1)
return v + 1
`;

type CommitFn = (kv: string, ks: string, kc: string, expected: number, state: Buffer, counters: string) => Promise<number>;

export class TaskStateStore {
  private readonly commitScript: CommitFn;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!('commitTaskState' in redis)) redis.defineCommand('commitTaskState', { numberOfKeys: 3, lua: COMMIT_TASK_STATE });
    this.commitScript = (redis as unknown as { commitTaskState: CommitFn }).commitTaskState.bind(redis);
  }

  async version(pid: string, stage: number, partition: number): Promise<number> {
    return Number((await this.redis.get(this.keys.taskVersion(pid, stage, partition))) ?? 0);
  }

  async load(pid: string, stage: number, partition: number): Promise<{ version: number; snapshot?: TaskSnapshot }> {
    const [[, v], [, s]] = (await this.redis
      .multi()
      .get(this.keys.taskVersion(pid, stage, partition))
      .getBuffer(this.keys.taskState(pid, stage, partition))
      .exec()) as [[unknown, string | null], [unknown, Buffer | null]];
    const version = Number(v ?? 0);
    return s ? { version, snapshot: unpack(s) as TaskSnapshot } : { version };
  }

  /**
   * Hot redeploy, queues drained: write a task's state outright (a new version, so any worker
   * holding the task reloads it), or remove it (the task starts empty).
   */
  async replace(pid: string, stage: number, partition: number, snapshot: TaskSnapshot | undefined): Promise<void> {
    const k = { v: this.keys.taskVersion(pid, stage, partition), s: this.keys.taskState(pid, stage, partition), c: this.keys.taskCounters(pid, stage, partition) };
    if (snapshot) await this.redis.multi().set(k.s, pack(snapshot)).set(k.c, JSON.stringify(snapshot.counters)).incr(k.v).exec();
    else await this.redis.del(k.s, k.c, k.v);
  }

  /** New version, or -1 when another process committed first. */
  async commit(pid: string, stage: number, partition: number, expected: number, snapshot: TaskSnapshot): Promise<number> {
    return this.commitScript(
      this.keys.taskVersion(pid, stage, partition),
      this.keys.taskState(pid, stage, partition),
      this.keys.taskCounters(pid, stage, partition),
      expected,
      pack(snapshot),
      JSON.stringify(snapshot.counters),
    );
  }
}
