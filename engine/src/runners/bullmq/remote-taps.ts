/**
 * Taps on edges that run inside workers: the coordinator names the tapped edges in a Redis
 * set; workers publish a sample of the events crossing them (at most SAMPLE_PER_SECOND per edge)
 * on a pub/sub channel the coordinator listens to. Samples are masked by the pipeline's privacy
 * settings before they leave the worker (docs/privacy.md).
 */
import { duplicateClient, type RedisClient } from './redis-client.js';
import type { Event } from '@sluice/shared';
import { ALREADY_MASKED } from '../../privacy/pipeline-privacy.js';
import type { RedisKeys } from './keys.js';

export const SAMPLE_PER_SECOND = 20;

/** Worker side: which edges are tapped (refreshed by the pool's sync), and a rate-limited publisher. */
export class TapPublisher {
  tapped = new Set<string>();
  private readonly budget = new Map<string, { second: number; left: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pid: string,
    private readonly mask: (e: Event) => Event = (e) => e,
  ) {}

  async refresh(): Promise<void> {
    this.tapped = new Set(await this.redis.smembers(this.keys.taps(this.pid)));
  }

  publish = (edgeId: string, events: Event[]): void => {
    if (!this.tapped.has(edgeId)) return;
    const second = Math.floor(Date.now() / 1000);
    let b = this.budget.get(edgeId);
    if (!b || b.second !== second) this.budget.set(edgeId, (b = { second, left: SAMPLE_PER_SECOND }));
    if (b.left <= 0) return;
    const sample = events.slice(0, b.left).map(this.mask);
    b.left -= sample.length;
    void this.redis.publish(this.keys.tapChannel(this.pid, edgeId), JSON.stringify(sample)).catch(() => undefined);
  };
}

/** Coordinator side: subscribe while someone listens, unsubscribe and un-name the edge after. */
export class TapSubscriber {
  private readonly listeners = new Map<string, Set<(events: readonly Event[]) => void>>();
  private sub: RedisClient | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pid: string,
  ) {}

  add(edgeId: string, listener: (events: readonly Event[]) => void): () => void {
    const channel = this.keys.tapChannel(this.pid, edgeId);
    if (!this.sub) {
      this.sub = duplicateClient(this.redis);
      this.sub.on('message', (ch: string, message: string) => {
        const edge = ch.slice(this.keys.tapChannel(this.pid, '').length);
        const events = JSON.parse(message) as Event[];
        for (const e of events) (e as { [ALREADY_MASKED]?: boolean })[ALREADY_MASKED] = true;
        for (const l of this.listeners.get(edge) ?? []) l(events);
      });
    }
    let set = this.listeners.get(edgeId);
    if (!set) {
      this.listeners.set(edgeId, (set = new Set()));
      void this.sub.subscribe(channel);
      void this.redis.sadd(this.keys.taps(this.pid), edgeId);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size > 0) return;
      this.listeners.delete(edgeId);
      void this.sub?.unsubscribe(channel);
      void this.redis.srem(this.keys.taps(this.pid), edgeId);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.redis.del(this.keys.taps(this.pid)).catch(() => undefined);
    this.sub?.disconnect();
  }
}
