/**
 * The coordinator lease of a server cluster (docs/multi-server.md): several `sluice serve` on
 * one Redis prefix; the one holding `<prefix>:leader` runs the coordinators, the others serve
 * the API and forward what needs a coordinator to it. The anchor is n8n's multi-main leader key;
 * unlike it, a holder fences itself: it gives the lease up (and detaches its coordinators) before
 * the key can have expired in Redis, measured from the moment it *sent* its last successful
 * renew, so two servers never coordinate at once while their clocks run at the same rate.
 *
 * The key's value is `<server id> <token> <since>`: the token is Redis's clock in microseconds
 * when the lease was taken, so each new holder has a larger one than every holder before it
 * (a fencing token, without a counter key that would outlive the cluster).
 */
import { type RedisClient, createRedis } from '../runners/bullmq/redis-client.js';
import { closeRedis } from '../runners/bullmq/redis-options.js';

/** Takes the key only when nobody holds it. KEYS[1] leader; ARGV[1] server id, ARGV[2] ttl ms, ARGV[3] since (epoch ms). */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('GET', KEYS[1]) end
local t = redis.call('TIME')
local token = string.format('%d%06d', t[1], t[2])
local v = ARGV[1] .. ' ' .. token .. ' ' .. ARGV[3]
redis.call('SET', KEYS[1], v, 'PX', ARGV[2])
return '+' .. v
`;
/** Extends the key only while it still holds this holder's value. 1 renewed, 0 lost. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
/** Deletes the key only when it is this holder's. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface LeaseCommands {
  sluiceLeaderAcquire(key: string, id: string, ttl: number, since: number): Promise<string>;
  sluiceLeaderRenew(key: string, value: string, ttl: number): Promise<number>;
  sluiceLeaderRelease(key: string, value: string): Promise<number>;
}

/** Who holds the lease, as read from `<prefix>:leader`. */
export interface LeaderInfo {
  id: string;
  /** Larger for every new holder (fencing). */
  token: string;
  /** When this holder took it (epoch ms). */
  since: number;
}

export function parseLeader(value: string | null | undefined): LeaderInfo | undefined {
  if (!value) return undefined;
  const [id, token, since] = value.split(' ');
  if (!id || !token) return undefined;
  return { id, token, since: Number(since) };
}

/** The lease's TTL: 6 s, or `SLUICE_LEADER_LEASE_MS` (at least 300 ms) for tests. Renewed every third of it. */
export function leaderLeaseTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.SLUICE_LEADER_LEASE_MS);
  return Number.isInteger(ms) && ms >= 300 ? ms : 6000;
}

export interface LeaderLeaseOptions {
  redisUrl: string;
  /** The key: `<prefix>:leader`. */
  key: string;
  /** This server's id (unique per process). */
  serverId: string;
  ttlMs?: number;
  /** This server became the leader: resume the deployed pipelines. Awaited before the next transition. */
  onLead: (lease: LeaderInfo) => Promise<void> | void;
  /** This server stopped being the leader (why): detach every coordinator at once. */
  onFollow: (why: string) => Promise<void> | void;
  /** Each tick (every third of the TTL), leader or not, not awaited: the server's heartbeat rides on it. */
  onTick?: () => Promise<void> | void;
}

export class LeaderLease {
  readonly ttlMs: number;
  private readonly redis: RedisClient & LeaseCommands;
  private held: LeaderInfo | undefined;
  private value: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Fires when the key may expire in Redis before the next renew is heard: give up first. */
  private fence: NodeJS.Timeout | undefined;
  /** Transitions (lead, follow) one after another: a follow waits for a lead's resume to finish. */
  private transitions: Promise<void> = Promise.resolve();
  private ticking = false;
  private stopped = false;

  constructor(private readonly o: LeaderLeaseOptions) {
    this.ttlMs = o.ttlMs ?? leaderLeaseTtlMs();
    // A renew that hangs on a dead connection must not hold the lease past its fence.
    const redis = createRedis(o.redisUrl, { commandTimeout: Math.max(200, Math.floor(this.ttlMs / 3)) });
    redis.on('error', () => undefined); // retried by ioredis; a failed renew fences this server
    redis.defineCommand('sluiceLeaderAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    redis.defineCommand('sluiceLeaderRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('sluiceLeaderRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as RedisClient & LeaseCommands;
  }

  /** The lease this server holds now, or undefined. */
  get leading(): LeaderInfo | undefined {
    // Fenced from the moment the lease is lost, before the follow transition has run.
    return this.value ? this.held : undefined;
  }

  /** Who holds the lease (any server), read from Redis. */
  async leader(): Promise<LeaderInfo | undefined> {
    return parseLeader(await this.redis.get(this.o.key));
  }

  /** First attempt now (resolved once its transition is done), then one every third of the TTL. */
  async start(): Promise<void> {
    await this.tick();
    await this.transitions;
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    // Not awaited: a slow heartbeat must not delay a renew past the fence.
    Promise.resolve()
      .then(() => this.o.onTick?.())
      .catch(() => undefined);
    try {
      if (this.value) await this.renew();
      else await this.tryAcquire();
    } finally {
      this.ticking = false;
    }
  }

  private async tryAcquire(): Promise<void> {
    let reply: string;
    try {
      reply = await this.redis.sluiceLeaderAcquire(this.o.key, this.o.serverId, this.ttlMs, Date.now());
    } catch {
      return; // Redis away: try again next tick
    }
    if (this.stopped || !reply.startsWith('+')) return;
    const sentAt = performance.now();
    this.value = reply.slice(1);
    const info = parseLeader(this.value)!;
    this.armFence(sentAt);
    this.transition(async () => {
      // Lost again before the resume began (a fence fired): nothing to do.
      if (this.value !== reply.slice(1)) return;
      this.held = info;
      await this.o.onLead(info);
    });
  }

  private async renew(): Promise<void> {
    const value = this.value!;
    const sentAt = performance.now();
    let renewed: number;
    try {
      renewed = await this.redis.sluiceLeaderRenew(this.o.key, value, this.ttlMs);
    } catch {
      return; // the fence decides: another try next tick, if there is time
    }
    if (this.value !== value) return;
    if (renewed === 1) this.armFence(sentAt);
    else this.lose('the lease expired in Redis or another server holds it');
  }

  /**
   * Give the lease up a third of the TTL before Redis could hand it to another server. Drills
   * turn this off (`SLUICE_LEADER_SELF_FENCE=off`) to show that Redis's fence alone stops a
   * woken leader (coordinator-fence.ts): then a renew that fails is what ends the leadership.
   */
  private armFence(sentAt: number): void {
    clearTimeout(this.fence);
    if (process.env.SLUICE_LEADER_SELF_FENCE === 'off') return;
    const left = sentAt + (this.ttlMs * 2) / 3 - performance.now();
    this.fence = setTimeout(() => this.lose(`no renew succeeded within ${Math.round((this.ttlMs * 2) / 3)} ms`), Math.max(0, left));
    this.fence.unref();
  }

  private lose(why: string): void {
    if (!this.value) return;
    clearTimeout(this.fence);
    this.value = undefined;
    this.transition(async () => {
      if (!this.held) return;
      this.held = undefined;
      await this.o.onFollow(why);
    });
  }

  private transition(step: () => Promise<void>): void {
    this.transitions = this.transitions.then(step).catch(() => undefined);
  }

  /** Stop trying; when leading, run `beforeRelease` (detach the coordinators) then delete the key. */
  async stop(beforeRelease?: () => Promise<void>): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.transitions;
    clearTimeout(this.fence);
    const value = this.value;
    this.value = undefined;
    this.held = undefined;
    await beforeRelease?.();
    if (value) await this.redis.sluiceLeaderRelease(this.o.key, value).catch(() => undefined);
    await closeRedis(this.redis);
  }

  /** The connection, for the server's heartbeat and the cluster view (same commandTimeout). */
  get connection(): RedisClient {
    return this.redis;
  }
}
