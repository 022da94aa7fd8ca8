/**
 * Source partition leases (docs/source-partitions.md). Each partition of each source is held by
 * at most one worker at a time: its lease key holds `<worker>:<generation>:<token>` with a TTL
 * the holder refreshes. The token comes from one INCR per acquire, so whoever takes a partition
 * over holds a higher one; checkpoints are written only by the current holder
 * (source-checkpoints.ts), so a worker that lost its lease commits nothing. A partition that
 * ended keeps `done:<generation>` with no TTL: nobody takes it again.
 */
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './keys.js';
import { LeaseLost } from './source-checkpoints.js';

/** Default lease TTL; `SLUICE_SOURCE_LEASE_MS` shortens it (drills pause a worker past it). */
export const SOURCE_LEASE_MS = 10_000;

export function sourceLeaseMs(): number {
  const ms = Number(process.env.SLUICE_SOURCE_LEASE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : SOURCE_LEASE_MS;
}

/**
 * KEYS: lease, token counter, gate. ARGV: holder prefix (`<worker>:<generation>`), generation,
 * TTL ms. The token, 0 when the partition is held (or done), -1 when the gate is not open for
 * this generation (a hot redeploy or a stop is under way, or the deploy moved on).
 */
const ACQUIRE = `
if redis.call('GET', KEYS[3]) ~= 'run:' .. ARGV[2] then return -1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local t = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. t, 'PX', ARGV[3])
return t
`;

/** KEYS: lease. ARGV: value, TTL ms. 1 refreshed, 0 no longer held. */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS: lease. ARGV: value. Deleted only by its holder. */
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

interface LeaseCommands {
  sluiceLeaseAcquire(lease: string, token: string, gate: string, holder: string, generation: string, ttl: number): Promise<number>;
  sluiceLeaseRenew(lease: string, value: string, ttl: number): Promise<number>;
  sluiceLeaseRelease(lease: string, value: string): Promise<number>;
}

export interface SourcePartitionRef {
  nodeId: string;
  partition: number;
}

export function partitionName(p: SourcePartitionRef): string {
  return `${p.nodeId}#${p.partition}`;
}

/** What a lease key says: free, held (by whom), or done. */
export type LeaseView = { kind: 'free' } | { kind: 'done' } | { kind: 'held'; worker: string; generation: string; token: number };

export function readLease(value: string | null): LeaseView {
  if (value === null) return { kind: 'free' };
  if (value.startsWith('done:')) return { kind: 'done' };
  const [worker = '', generation = '', token = '0'] = value.split(':');
  return { kind: 'held', worker, generation, token: Number(token) };
}

export class SourceLeases {
  private readonly redis: RedisClient & LeaseCommands;

  constructor(
    redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pid: string,
    readonly ttlMs = sourceLeaseMs(),
  ) {
    if (!('sluiceLeaseAcquire' in redis)) {
      redis.defineCommand('sluiceLeaseAcquire', { numberOfKeys: 3, lua: ACQUIRE });
      redis.defineCommand('sluiceLeaseRenew', { numberOfKeys: 1, lua: RENEW });
      redis.defineCommand('sluiceLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
    }
    this.redis = redis as RedisClient & LeaseCommands;
  }

  /** The partition's lease key (a coordinator's fenced clear, coordinator-fence.ts). */
  key(p: SourcePartitionRef): string {
    return this.keys.sourceLease(this.pid, p.nodeId, p.partition);
  }

  /** The lease value now held, or undefined (held by someone else, done, or the gate is closed). */
  async acquire(p: SourcePartitionRef, worker: string, generation: string): Promise<string | undefined> {
    const holder = `${worker}:${generation}`;
    const token = await this.redis.sluiceLeaseAcquire(
      this.key(p),
      this.keys.sourceToken(this.pid),
      this.keys.sourceGate(this.pid),
      holder,
      generation,
      this.ttlMs,
    );
    return token > 0 ? `${holder}:${token}` : undefined;
  }

  /** False when the lease is no longer `value` (expired and taken, or done). */
  async renew(p: SourcePartitionRef, value: string): Promise<boolean> {
    return (await this.redis.sluiceLeaseRenew(this.key(p), value, this.ttlMs)) === 1;
  }

  async release(p: SourcePartitionRef, value: string): Promise<void> {
    await this.redis.sluiceLeaseRelease(this.key(p), value);
  }

  /** Every partition's lease as it stands. */
  async view(parts: readonly SourcePartitionRef[]): Promise<LeaseView[]> {
    if (parts.length === 0) return [];
    const values = await this.redis.mget(...parts.map((p) => this.key(p)));
    return values.map(readLease);
  }

  /**
   * Open the gate for `generation` or close it, unfenced (tests); a coordinator writes it through
   * its fence (bullmq-run.ts, coordinator-fence.ts).
   */
  async setGate(state: 'run' | 'pause' | 'stop', generation: string): Promise<void> {
    await this.redis.set(this.keys.sourceGate(this.pid), `${state}:${generation}`);
  }

  async gate(): Promise<string | null> {
    return this.redis.get(this.keys.sourceGate(this.pid));
  }
}

/** A renew answered within this long is taken as current (confirmHeld). */
const PROMPT_MS = 1000;

/**
 * Before a source without positions enqueues a batch (docs/source-partitions.md): renew the lease
 * and insist on a prompt answer, so the jobs go out within one TTL of a confirmation that this
 * worker still held the partition. A reply that took long may have waited while this process
 * was paused (the lease may have changed hands meanwhile): ask again. LeaseLost when not held.
 */
export async function confirmHeld(leases: SourceLeases, p: SourcePartitionRef, value: string): Promise<void> {
  const prompt = Math.min(PROMPT_MS, leases.ttlMs / 4);
  for (;;) {
    const asked = performance.now();
    if (!(await leases.renew(p, value)))
      throw new LeaseLost(`source ${p.nodeId} partition ${p.partition}: the lease was taken over; this batch is not enqueued`);
    if (performance.now() - asked < prompt) return;
  }
}

/** Every source partition of a plan's stages. */
export function sourcePartitions(stages: readonly { source?: string; partitions: number }[]): SourcePartitionRef[] {
  const out: SourcePartitionRef[] = [];
  for (const s of stages) if (s.source !== undefined) for (let p = 0; p < s.partitions; p++) out.push({ nodeId: s.source, partition: p });
  return out;
}
