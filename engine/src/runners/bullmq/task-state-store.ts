/**
 * A task's committed state in Redis. The commit is one atomic script (compare-and-set on the
 * version): state, counters and version move together, and a worker whose view is stale (the
 * task moved to another worker meanwhile) cannot overwrite newer state.
 *
 * Keyed operator state is incremental: one hash field per (node, store, key), and a commit
 * writes only the keys the batch changed (and deletes the ones it removed). The rest of the
 * snapshot (value state, channels, sequences, counters) is small and written whole. A window
 * over a million keys thus commits what one batch touched, not the million.
 */
import type { Redis } from 'ioredis';
import { pack, unpack } from 'msgpackr';
import type { KeyedChanges, StateSnapshot } from '@sluice/nodes/sdk';
import type { ExchangeState } from './exchange-buffer.js';
import type { RedisKeys } from './keys.js';
import { RunStateLost } from './run-marker.js';

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

/** Keyed changes of a task's operators, by node. */
export type TaskChanges = Record<string, KeyedChanges>;

/**
 * KEYS: version, state, counters, keyed hash, run marker (none of it is written once the marker
 * is gone: -2, run-marker.ts). ARGV: expected version, state, counters, number
 * of fields to set, then field/value pairs, then fields to delete. unpack() is bounded by Lua's
 * C stack, so fields go in chunks.
 */
const COMMIT_TASK_STATE = `
if redis.call('EXISTS', KEYS[5]) == 0 then return -2 end
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
local nset = tonumber(ARGV[4])
local first, last = 5, 4 + 2 * nset
local i = first
while i <= last do
  local j = math.min(i + 3999, last)
  redis.call('HSET', KEYS[4], unpack(ARGV, i, j))
  i = j + 1
end
i = last + 1
while i <= #ARGV do
  local j = math.min(i + 3999, #ARGV)
  redis.call('HDEL', KEYS[4], unpack(ARGV, i, j))
  i = j + 1
end
redis.call('SET', KEYS[1], v + 1)
return v + 1
`;

type CommitFn = (kv: string, ks: string, kc: string, kk: string, km: string, expected: number, state: Buffer, counters: string, nset: number, ...fields: (string | Buffer)[]) => Promise<number>;

const SEP = '\u0000';

/** The hash field of one key of one node's keyed store (node ids and store names hold no NUL). */
export function keyedField(node: string, store: string, key: string): string {
  return `${node}${SEP}${store}${SEP}${key}`;
}

export class TaskStateStore {
  private readonly commitScript: CommitFn;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!('commitTaskState' in redis)) redis.defineCommand('commitTaskState', { numberOfKeys: 5, lua: COMMIT_TASK_STATE });
    this.commitScript = (redis as unknown as { commitTaskState: CommitFn }).commitTaskState.bind(redis);
  }

  async version(pid: string, stage: number, partition: number): Promise<number> {
    return Number((await this.redis.get(this.keys.taskVersion(pid, stage, partition))) ?? 0);
  }

  /**
   * The whole committed snapshot, keyed stores filled in from the hash (keys in sorted order).
   * Throws RunStateLost when the run marker is gone (read in the same transaction): a task
   * must never restart from empty state in a Redis that lost the run.
   */
  async load(pid: string, stage: number, partition: number): Promise<{ version: number; snapshot?: TaskSnapshot }> {
    const [[, v], [, s], [, h], [, marker]] = (await this.redis
      .multi()
      .get(this.keys.taskVersion(pid, stage, partition))
      .getBuffer(this.keys.taskState(pid, stage, partition))
      .hgetallBuffer(this.keys.taskKeyed(pid, stage, partition))
      .exists(this.keys.runMarker(pid))
      .exec()) as [[unknown, string | null], [unknown, Buffer | null], [unknown, Record<string, Buffer>], [unknown, number]];
    if (marker === 0) throw new RunStateLost(this.keys.runMarker(pid));
    const version = Number(v ?? 0);
    if (!s) return { version };
    const snapshot = unpack(s) as TaskSnapshot;
    const fields = Object.keys(h ?? {}).sort();
    for (const field of fields) {
      const [node, store, ...rest] = field.split(SEP);
      const slot = snapshot.operators[node!]?.[store!];
      // A store the head does not list belongs to no operator of this task any more.
      if (slot?.kind === 'keyed') slot.entries.push([rest.join(SEP), unpack(h[field]!)]);
    }
    return { version, snapshot };
  }

  /**
   * Hot redeploy, queues drained: write a task's state outright (a new version, so any worker
   * holding the task reloads it), or remove it (the task starts empty).
   */
  async replace(pid: string, stage: number, partition: number, snapshot: TaskSnapshot | undefined): Promise<void> {
    const k = {
      v: this.keys.taskVersion(pid, stage, partition),
      s: this.keys.taskState(pid, stage, partition),
      c: this.keys.taskCounters(pid, stage, partition),
      h: this.keys.taskKeyed(pid, stage, partition),
    };
    if (!snapshot) {
      await this.redis.del(k.s, k.c, k.v, k.h);
      return;
    }
    const { head, fields } = split(snapshot);
    const tx = this.redis.multi().set(k.s, pack(head)).set(k.c, JSON.stringify(snapshot.counters)).del(k.h);
    for (let i = 0; i < fields.length; i += 2000) tx.hset(k.h, ...fields.slice(i, i + 2000));
    await tx.incr(k.v).exec();
  }

  /**
   * Commit `head` (the snapshot with keyed stores listed but empty) and the keyed `changes`.
   * New version, or -1 when another process committed first; throws RunStateLost when the run
   * marker is gone.
   */
  async commit(pid: string, stage: number, partition: number, expected: number, head: TaskSnapshot, changes: TaskChanges): Promise<number> {
    const set: (string | Buffer)[] = [];
    const deleted: string[] = [];
    for (const [node, stores] of Object.entries(changes)) {
      for (const [store, c] of Object.entries(stores)) {
        for (const [key, value] of c.set) set.push(keyedField(node, store, key), pack(value));
        for (const key of c.deleted) deleted.push(keyedField(node, store, key));
      }
    }
    const v = await this.commitScript(
      this.keys.taskVersion(pid, stage, partition),
      this.keys.taskState(pid, stage, partition),
      this.keys.taskCounters(pid, stage, partition),
      this.keys.taskKeyed(pid, stage, partition),
      this.keys.runMarker(pid),
      expected,
      pack(head),
      JSON.stringify(head.counters),
      set.length / 2,
      ...set,
      ...deleted,
    );
    if (v === -2) throw new RunStateLost(this.keys.runMarker(pid));
    return v;
  }
}

/** A full snapshot as head (keyed stores emptied) and hash fields. */
function split(snapshot: TaskSnapshot): { head: TaskSnapshot; fields: (string | Buffer)[] } {
  const fields: (string | Buffer)[] = [];
  const operators: TaskSnapshot['operators'] = {};
  for (const [node, stores] of Object.entries(snapshot.operators)) {
    const head: StateSnapshot = {};
    for (const [store, s] of Object.entries(stores)) {
      if (s.kind === 'keyed') {
        head[store] = { kind: 'keyed', entries: [] };
        for (const [key, value] of s.entries) fields.push(keyedField(node, store, key), pack(value));
      } else head[store] = s;
    }
    operators[node] = head;
  }
  return { head: { ...snapshot, operators }, fields };
}
