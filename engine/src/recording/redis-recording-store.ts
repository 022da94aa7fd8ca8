/**
 * Recordings in Redis (BullMQ mode): one capped list per source. Appends are buffered and
 * flushed a few times a second as one pipeline of RPUSH + LTRIM, so recording costs the hot
 * path a ring write, not a round trip per batch.
 */
import { type RedisClient, createRedis } from '../runners/bullmq/redis-client.js';
import { closeRedis } from '../runners/bullmq/redis-options.js';
import type { RecordedEvent } from './recorded-event.js';
import { Ring, type RecordingStats, type RecordingStore } from './recording-store.js';

export interface RedisRecordingStoreOptions {
  redisUrl: string;
  prefix: string;
  capacity?: number;
  flushMs?: number;
}

export class RedisRecordingStore implements RecordingStore {
  readonly capacity: number;
  private readonly redis: RedisClient;
  private readonly pending = new Map<string, Ring<RecordedEvent>>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly o: RedisRecordingStoreOptions) {
    this.capacity = o.capacity ?? 10_000;
    this.redis = createRedis(o.redisUrl);
    // Retried by ioredis; /readyz reports an unreachable Redis. A lost flush only loses recording.
    this.redis.on('error', () => undefined);
    this.timer = setInterval(() => void this.flush(), o.flushMs ?? 250);
    this.timer.unref();
  }

  private key(pipelineId: string, nodeId: string): string {
    return `${this.o.prefix}:rec:{${pipelineId}}:${nodeId}`;
  }

  private sourcesKey(pipelineId: string): string {
    return `${this.o.prefix}:rec:{${pipelineId}}`;
  }

  append(pipelineId: string, nodeId: string, events: readonly RecordedEvent[]): void {
    const k = `${pipelineId}\u0000${nodeId}`;
    let ring = this.pending.get(k);
    if (!ring) this.pending.set(k, (ring = new Ring(this.capacity)));
    ring.push(events);
  }

  /** Write what was appended since the last flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batches = [...this.pending];
      this.pending.clear();
      // One MULTI per pipeline: its keys share a hash tag, so on a Redis Cluster each stays in one slot.
      const byPipeline = new Map<string, ReturnType<RedisClient['multi']>>();
      for (const [k, ring] of batches) {
        const [pid, node] = k.split('\u0000') as [string, string];
        let tx = byPipeline.get(pid);
        if (!tx) byPipeline.set(pid, (tx = this.redis.multi()));
        const key = this.key(pid, node);
        tx.sadd(this.sourcesKey(pid), node);
        tx.rpush(key, ...ring.toArray().map((r) => JSON.stringify(r)));
        tx.ltrim(key, -this.capacity, -1);
      }
      await Promise.all([...byPipeline.values()].map((tx) => tx.exec()));
    });
    return this.flushing.catch(() => undefined);
  }

  async read(pipelineId: string, limit = this.capacity): Promise<Record<string, RecordedEvent[]>> {
    await this.flush();
    const out: Record<string, RecordedEvent[]> = {};
    for (const node of await this.redis.smembers(this.sourcesKey(pipelineId))) {
      const raw = await this.redis.lrange(this.key(pipelineId, node), -limit, -1);
      out[node] = raw.map((s) => JSON.parse(s) as RecordedEvent);
    }
    return out;
  }

  async stats(pipelineId: string): Promise<RecordingStats> {
    await this.flush();
    const sources: Record<string, number> = {};
    for (const node of await this.redis.smembers(this.sourcesKey(pipelineId)))
      sources[node] = await this.redis.llen(this.key(pipelineId, node));
    return { events: Object.values(sources).reduce((a, b) => a + b, 0), sources, capacity: this.capacity };
  }

  async clear(pipelineId: string): Promise<void> {
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
