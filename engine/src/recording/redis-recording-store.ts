/**
 * Recordings in Redis (BullMQ mode): one capped list per source. Appends are buffered and
 * flushed a few times a second as one transaction of RPUSH + LTRIM, so recording costs the hot
 * path a ring write, not a round trip per batch. A pipeline with a TTL (docs/privacy.md) has
 * its expired events popped from the head of each list at every flush and read, and its keys
 * expire a TTL after the last write, so an idle recording is deleted by Redis itself.
 */
import { type RedisClient, createRedis } from '../runners/bullmq/redis-client.js';
import { isNoScript, loadDefinedScripts } from '../runners/bullmq/lost-scripts.js';
import { closeRedis } from '../runners/bullmq/redis-options.js';
import type { RecordedEvent } from './recorded-event.js';
import { isExpired, type RecordingLimits, type RecordingStats, type RecordingStore, Ring } from './recording-store.js';

export interface RedisRecordingStoreOptions {
  redisUrl: string;
  prefix: string;
  capacity?: number;
  flushMs?: number;
}

/**
 * Pops, from the head of list KEYS[1], the entries recorded (`a`) at or before ARGV[1] (epoch
 * ms), and those without a record time (kept before the pipeline had a TTL: their age is
 * unknown). Entries are in recording order, so it stops at the first that is not expired.
 */
const POP_EXPIRED = `
local cutoff = tonumber(ARGV[1])
local n = 0
while true do
  local v = redis.call('LINDEX', KEYS[1], 0)
  if not v then break end
  local ok, d = pcall(cjson.decode, v)
  if not ok or type(d) ~= 'table' or type(d.a) ~= 'number' or d.a <= cutoff then
    redis.call('LPOP', KEYS[1])
    n = n + 1
  else
    break
  end
end
return n
`;

interface Pending {
  ring: Ring<RecordedEvent>;
  limits: RecordingLimits;
}

export class RedisRecordingStore implements RecordingStore {
  readonly capacity: number;
  private readonly redis: RedisClient;
  private readonly pending = new Map<string, Pending>();
  /** The last limits each pipeline appended with: reads drop what its TTL expired. */
  private readonly limits = new Map<string, RecordingLimits>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly o: RedisRecordingStoreOptions) {
    this.capacity = o.capacity ?? 10_000;
    this.redis = createRedis(o.redisUrl);
    // Retried by ioredis; /readyz reports an unreachable Redis. A lost flush only loses recording.
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('sluicePopExpired', { numberOfKeys: 1, lua: POP_EXPIRED });
    this.timer = setInterval(() => void this.flush(), o.flushMs ?? 250);
    this.timer.unref();
  }

  private key(pipelineId: string, nodeId: string): string {
    return `${this.o.prefix}:rec:{${pipelineId}}:${nodeId}`;
  }

  private sourcesKey(pipelineId: string): string {
    return `${this.o.prefix}:rec:{${pipelineId}}`;
  }

  private size(limits: RecordingLimits): number {
    return Math.min(this.capacity, limits.maxEvents ?? this.capacity);
  }

  append(pipelineId: string, nodeId: string, events: readonly RecordedEvent[], limits: RecordingLimits = {}): void {
    const k = `${pipelineId}\u0000${nodeId}`;
    this.limits.set(pipelineId, limits);
    let p = this.pending.get(k);
    if (!p || p.ring.capacity !== this.size(limits)) {
      const ring = new Ring<RecordedEvent>(this.size(limits));
      if (p) ring.push(p.ring.toArray());
      this.pending.set(k, (p = { ring, limits }));
    }
    p.limits = limits;
    p.ring.push(events);
  }

  /** Write what was appended since the last flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batches = [...this.pending];
      this.pending.clear();
      const now = Date.now();
      // One MULTI per pipeline: its keys share a hash tag, so on a Redis Cluster each stays in one slot.
      const byPipeline = new Map<string, ReturnType<RedisClient['multi']>>();
      for (const [k, { ring, limits }] of batches) {
        const [pid, node] = k.split('\u0000') as [string, string];
        let tx = byPipeline.get(pid);
        if (!tx) byPipeline.set(pid, (tx = this.redis.multi()));
        const key = this.key(pid, node);
        tx.sadd(this.sourcesKey(pid), node);
        tx.rpush(key, ...ring.toArray().map((r) => JSON.stringify(r)));
        tx.ltrim(key, -this.size(limits), -1);
        if (limits.ttlMs !== undefined) {
          (tx as unknown as PopExpired).sluicePopExpired(key, now - limits.ttlMs);
          tx.pexpire(key, limits.ttlMs);
          tx.pexpire(this.sourcesKey(pid), limits.ttlMs);
        } else {
          // Redeployed without a TTL: the recording stays until pushed out or deleted.
          tx.persist(key);
          tx.persist(this.sourcesKey(pid));
        }
      }
      const replies = await Promise.all([...byPipeline.values()].map((tx) => tx.exec()));
      // A Redis that lost its scripts fails them inside the MULTI; load them for the next flush
      // (repeating this one would push its events twice).
      if (replies.some((r) => r?.some(([err]) => isNoScript(err)))) await loadDefinedScripts(this.redis);
    });
    return this.flushing.catch(() => undefined);
  }

  async read(pipelineId: string, limit = this.capacity): Promise<Record<string, RecordedEvent[]>> {
    await this.flush();
    const ttlMs = this.limits.get(pipelineId)?.ttlMs;
    const now = Date.now();
    const out: Record<string, RecordedEvent[]> = {};
    for (const node of await this.redis.smembers(this.sourcesKey(pipelineId))) {
      const raw = await this.redis.lrange(this.key(pipelineId, node), -limit, -1);
      // Expired but not yet popped (no flush since): never handed out.
      out[node] = raw.map((s) => JSON.parse(s) as RecordedEvent).filter((r) => !isExpired(r, ttlMs, now));
    }
    return out;
  }

  async stats(pipelineId: string): Promise<RecordingStats> {
    await this.flush();
    const ttlMs = this.limits.get(pipelineId)?.ttlMs;
    const sources: Record<string, number> = {};
    for (const node of await this.redis.smembers(this.sourcesKey(pipelineId))) {
      const key = this.key(pipelineId, node);
      if (ttlMs !== undefined) await (this.redis as unknown as PopExpired).sluicePopExpired(key, Date.now() - ttlMs);
      sources[node] = await this.redis.llen(key);
    }
    return { events: Object.values(sources).reduce((a, b) => a + b, 0), sources, capacity: this.capacity };
  }

  async clear(pipelineId: string): Promise<void> {
    // What waits to be written goes first, so no later flush brings the recording back.
    for (const k of [...this.pending.keys()]) if (k.startsWith(`${pipelineId}\u0000`)) this.pending.delete(k);
    this.limits.delete(pipelineId);
    await this.flush();
    const nodes = await this.redis.smembers(this.sourcesKey(pipelineId));
    await this.redis.del(this.sourcesKey(pipelineId), ...nodes.map((n) => this.key(pipelineId, n)));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.redis.status === 'ready') await this.flush();
    await closeRedis(this.redis);
  }
}

interface PopExpired {
  sluicePopExpired(key: string, cutoff: number): Promise<number>;
}
