/**
 * The coordinator lease of a run nobody will resume (`sluice run --engine bullmq`): the key
 * `<prefix>:lease` with a TTL, refreshed while the coordinator lives. Written before anything
 * else under the prefix and deleted after everything else, so a prefix with keys and no lease
 * belongs to a coordinator that is gone for good (prefix-janitor.ts sweeps it).
 */
import { hostname } from 'node:os';
import { type RedisClient, createRedis } from './redis-client.js';
import type { RedisKeys } from './keys.js';
import { closeRedis } from './redis-options.js';

/** The prefix of every `sluice run` (run-command.ts): what the janitor looks for. */
export const RUN_PREFIX = 'sluice-run-';

/** The lease's TTL (15 s; `SLUICE_RUN_LEASE_MS` shortens it for the drills). Refreshed every fifth of it. */
export function runLeaseTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.SLUICE_RUN_LEASE_MS);
  return Number.isInteger(ms) && ms >= 500 ? ms : 15_000;
}

export interface RunLeaseOptions {
  ttlMs?: number;
  /** The lease expired under a live coordinator (its event loop blocked past the TTL, Redis lost it). */
  onLost?: (why: string) => void;
}

export class RunLease {
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;

  private constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly value: string,
    private readonly ttlMs: number,
    private readonly onLost: ((why: string) => void) | undefined,
  ) {}

  /** Take the lease of a fresh prefix; refused when the key exists (another run has that prefix). */
  static async acquire(redisUrl: string, keys: RedisKeys, o: RunLeaseOptions = {}): Promise<RunLease> {
    const redis = createRedis(redisUrl);
    // Connection errors are retried by ioredis; the run reports Redis outages itself.
    redis.on('error', () => undefined);
    const ttlMs = o.ttlMs ?? runLeaseTtlMs();
    const value = JSON.stringify({ host: hostname(), pid: process.pid, at: Date.now() });
    if ((await redis.set(keys.lease, value, 'PX', ttlMs, 'NX')) !== 'OK') {
      await closeRedis(redis);
      throw new Error(`the key prefix ${keys.prefix} is leased by another run`);
    }
    const lease = new RunLease(redis, keys.lease, value, ttlMs, o.onLost);
    lease.timer = setInterval(() => void lease.refresh(), Math.max(100, Math.floor(ttlMs / 5)));
    lease.timer.unref();
    return lease;
  }

  private async refresh(): Promise<void> {
    // Commands wait through a Redis outage: one refresh at a time, not a pile of them.
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      // XX: an expired lease is not taken again, its prefix may be being swept.
      if ((await this.redis.set(this.key, this.value, 'PX', this.ttlMs, 'XX')) === null) {
        this.stopRefresh();
        this.onLost?.(`the run's lease ${this.key} expired: its keys may be removed by the janitor`);
      }
    } catch {
      // Redis unreachable: the next tick tries again
    } finally {
      this.refreshing = false;
    }
  }

  private stopRefresh(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The run is over and its keys are gone: delete the lease. */
  async release(): Promise<void> {
    this.stopRefresh();
    await this.redis.del(this.key).catch(() => undefined);
    await closeRedis(this.redis);
  }

  /** Give up without a word to Redis (it does not answer): the lease expires, the janitor sweeps. */
  abandon(): void {
    this.stopRefresh();
    this.redis.disconnect();
  }
}
