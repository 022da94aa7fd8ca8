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
import type { RedisClient } from './redis-client.js';
import { pack, unpack } from 'msgpackr';
import type { NodeCounts } from '@sluice/shared';
import type { ErrorSample } from '../../metrics/error-samples.js';
import type { KeyedChanges, StateSnapshot } from '@sluice/nodes/sdk';
import type { ExchangeState } from './exchange-buffer.js';
import type { RedisKeys } from './keys.js';
import { RunStateLost } from './run-marker.js';
import { type CommitProbe, commitProbe } from './commit-probe.js';

export interface CountersSnapshot {
  nodes: Record<string, NodeCounts>;
  edges: Record<string, number>;
  watermark: number | null;
  done: boolean;
  /**
   * Batch-time and sink-latency histograms (sparse), committed with the counters: exact across
   * worker crashes and final the moment the task is done (no flush to wait for).
   */
  hist?: { batch: Record<string, [number, number][]>; latency: Record<string, [number, number][]> };
  /** Each node's first distinct error messages with their counts (bounded, redacted), committed with the counts they belong to. */
  errors?: Record<string, ErrorSample[]>;
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
 * Fencing (docs/bullmq-runner.md, "Effectively once"): before its first side effect a worker
 * *claims* the task at the version it holds for one job. The claim is an intent record
 * (version, job, token): a claim for another job at the same version is refused, so whichever
 * worker applies version v applies the same job, and a late write of a stale worker repeats the
 * bytes the current one wrote (sinks write deterministic bytes at explicit offsets). Only the
 * holder of the latest token can commit.
 *
 * KEYS: version, intent, run marker. ARGV: expected version, job (a job group's key:
 * job-group.ts). Returns the token, -1 when the version moved on (reload), {-2, pinned job} when
 * another job holds this version's intent (apply that one or retry later), -3 when the run
 * marker is gone (nothing written: run-marker.ts).
 */
const CLAIM_TASK = `
if redis.call('EXISTS', KEYS[3]) == 0 then return -3 end
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
local iv = redis.call('HGET', KEYS[2], 'v')
if iv and tonumber(iv) == v then
  local pinned = redis.call('HGET', KEYS[2], 'job')
  if pinned ~= ARGV[2] then return {-2, pinned} end
end
local token = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('HSET', KEYS[2], 'v', v, 'job', ARGV[2], 'token', token)
return token
`;

/**
 * KEYS: version, state, counters, keyed hash, intent, run marker (none of it is written once the
 * marker is gone: -2, run-marker.ts). ARGV: expected version, claim token, state, counters,
 * number of fields to set, then field/value pairs, then fields to delete. unpack() is bounded by
 * Lua's C stack, so fields go in chunks.
 */
const COMMIT_TASK_STATE = `
if redis.call('EXISTS', KEYS[6]) == 0 then return -2 end
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
if redis.call('HGET', KEYS[5], 'token') ~= ARGV[2] then return -1 end
table.remove(ARGV, 1) -- the version: the rest reads token, state, counters, nset, fields
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

type CommitFn = (
  kv: string,
  ks: string,
  kc: string,
  kk: string,
  ki: string,
  km: string,
  expected: number,
  token: number,
  state: Buffer,
  counters: string,
  nset: number,
  ...fields: (string | Buffer)[]
) => Promise<number>;
type ClaimFn = (kv: string, ki: string, km: string, expected: number, job: string) => Promise<number | [number, string]>;

/**
 * The claim of a task for one job: the token its commit must carry, or the job another worker
 * pinned at this version (`pinned`: whoever applies the version applies that one).
 */
export type Claim = { token: number } | { stale: true } | { pending: true; pinned: string };

const SEP = '\u0000';

/** The hash field of one key of one node's keyed store (node ids and store names hold no NUL). */
export function keyedField(node: string, store: string, key: string): string {
  return `${node}${SEP}${store}${SEP}${key}`;
}

export class TaskStateStore {
  private readonly commitScript: CommitFn;
  private readonly claimScript: ClaimFn;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    if (!('commitTaskState' in redis)) redis.defineCommand('commitTaskState', { numberOfKeys: 6, lua: COMMIT_TASK_STATE });
    if (!('claimTask' in redis)) redis.defineCommand('claimTask', { numberOfKeys: 3, lua: CLAIM_TASK });
    this.commitScript = (redis as unknown as { commitTaskState: CommitFn }).commitTaskState.bind(redis);
    this.claimScript = (redis as unknown as { claimTask: ClaimFn }).claimTask.bind(redis);
  }

  /** Under the version key's name, so a pipeline's cleanup pattern (`statever:{<pid>}:*`) takes it too. */
  private intentKey(pid: string, stage: number, partition: number): string {
    return `${this.keys.taskVersion(pid, stage, partition)}:intent`;
  }

  /** Claim the task at `expected` for `job` before any side effect of that job (see CLAIM_TASK). */
  async claim(pid: string, stage: number, partition: number, expected: number, job: string): Promise<Claim> {
    const r = await this.claimScript(
      this.keys.taskVersion(pid, stage, partition),
      this.intentKey(pid, stage, partition),
      this.keys.runMarker(pid),
      expected,
      job,
    );
    if (Array.isArray(r)) return { pending: true, pinned: r[1] };
    if (r === -3) throw new RunStateLost(this.keys.runMarker(pid));
    if (r === -1) return { stale: true };
    return { token: r };
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
      // A claim of the old state must not pin a job at a version number the new state reaches.
      i: this.intentKey(pid, stage, partition),
    };
    if (!snapshot) {
      await this.redis.del(k.s, k.c, k.v, k.h, k.i);
      return;
    }
    const { head, fields } = split(snapshot);
    const tx = this.redis.multi().set(k.s, pack(head)).set(k.c, JSON.stringify(snapshot.counters)).del(k.h, k.i);
    for (let i = 0; i < fields.length; i += 2000) tx.hset(k.h, ...fields.slice(i, i + 2000));
    await tx.incr(k.v).exec();
  }

  /**
   * Commit `head` (the snapshot with keyed stores listed but empty) and the keyed `changes`,
   * under the claim `token`. New version, or -1 when another process committed or claimed since;
   * throws RunStateLost when the run marker is gone.
   */
  async commit(
    pid: string,
    stage: number,
    partition: number,
    expected: number,
    head: TaskSnapshot,
    changes: TaskChanges,
    token: number,
  ): Promise<number> {
    const set: (string | Buffer)[] = [];
    const deleted: string[] = [];
    for (const [node, stores] of Object.entries(changes)) {
      for (const [store, c] of Object.entries(stores)) {
        for (const [key, value] of c.set) set.push(keyedField(node, store, key), pack(value));
        for (const key of c.deleted) deleted.push(keyedField(node, store, key));
      }
    }
    const packedHead = pack(head);
    if (commitProbe) probeCommit(commitProbe, this.redis, packedHead, set, changes);
    const v = await this.commitScript(
      this.keys.taskVersion(pid, stage, partition),
      this.keys.taskState(pid, stage, partition),
      this.keys.taskCounters(pid, stage, partition),
      this.keys.taskKeyed(pid, stage, partition),
      this.intentKey(pid, stage, partition),
      this.keys.runMarker(pid),
      expected,
      token,
      packedHead,
      JSON.stringify(head.counters),
      set.length / 2,
      ...set,
      ...deleted,
    );
    if (v === -2) throw new RunStateLost(this.keys.runMarker(pid));
    return v;
  }
}

/** What one commit wrote, for the benchmark probe (commit-probe.ts). */
function probeCommit(probe: CommitProbe, redis: RedisClient, head: Buffer, set: readonly (string | Buffer)[], changes: TaskChanges): void {
  let keyedBytes = 0;
  for (const f of set) keyedBytes += typeof f === 'string' ? Buffer.byteLength(f) : f.length;
  const values: unknown[] = [];
  for (const stores of Object.values(changes)) for (const c of Object.values(stores)) for (const [, v] of c.set) values.push(v);
  probe.add(redis, head.length, keyedBytes, values);
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
