/**
 * Taps on a follower (docs/multi-server.md): for an edge that runs inside workers, the follower
 * does what the leader's coordinator does (remote-taps.ts): it names the edge in
 * `<prefix>:taps:<pipeline>` and listens on the edge's channel, where workers publish samples.
 * Edges of source stages run in the leader's process and are not published: no events here.
 * One subscriber connection for the whole server, opened at the first tap.
 */
import { duplicateClient, type RedisClient } from '../runners/bullmq/redis-client.js';
import type { Event } from '@sluice/shared';
import type { RedisKeys } from '../runners/bullmq/keys.js';

type Listener = (events: readonly Event[]) => void;

export class FollowerTaps {
  private sub: RedisClient | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  add(pid: string, edgeId: string, listener: Listener): () => void {
    const channel = this.keys.tapChannel(pid, edgeId);
    if (!this.sub) {
      this.sub = duplicateClient(this.redis);
      this.sub.on('error', () => undefined); // retried by ioredis
      this.sub.on('message', (ch: string, message: string) => {
        const set = this.listeners.get(ch);
        if (!set) return;
        const events = JSON.parse(message) as Event[];
        for (const l of set) l(events);
      });
    }
    let set = this.listeners.get(channel);
    if (!set) {
      this.listeners.set(channel, (set = new Set()));
      this.sub.subscribe(channel).catch(() => undefined);
    }
    // Named at every tap: the leader's own tap of the edge ending removes it from the set.
    this.redis.sadd(this.keys.taps(pid), edgeId).catch(() => undefined);
    set.add(listener);
    const listeners = set;
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0 || this.listeners.get(channel) !== listeners) return;
      this.listeners.delete(channel);
      this.sub?.unsubscribe(channel).catch(() => undefined);
      this.redis.srem(this.keys.taps(pid), edgeId).catch(() => undefined);
    };
  }

  close(): void {
    this.listeners.clear();
    this.sub?.disconnect();
    this.sub = undefined;
  }
}
