/**
 * Where recordings live: the last events of each source of each deployed pipeline, at most
 * the store's `capacity` (or the pipeline's smaller `maxEvents`), and none older than the
 * pipeline's TTL when it sets one (docs/privacy.md). In memory for the embedded engine; a
 * capped Redis list per source in BullMQ mode, so the recording outlives a server restart
 * like the run itself does.
 */
import type { RecordingStats } from '@sluice/shared';
import type { RecordedEvent } from './recorded-event.js';

export type { RecordingStats };

/** A pipeline's own bounds (its document's `privacy.recording`). */
export interface RecordingLimits {
  /** Events kept per source; at most the store's capacity. */
  maxEvents?: number;
  /** Events recorded longer ago than this are deleted (they carry their time, `a`). */
  ttlMs?: number;
}

export interface RecordingStore {
  readonly capacity: number;
  /** Append events of one source (the oldest fall out beyond the pipeline's limit). */
  append(pipelineId: string, nodeId: string, events: readonly RecordedEvent[], limits?: RecordingLimits): void;
  /** The last `limit` events of every recorded source of a pipeline, oldest first. */
  read(pipelineId: string, limit?: number): Promise<Record<string, RecordedEvent[]>>;
  stats(pipelineId: string): Promise<RecordingStats>;
  clear(pipelineId: string): Promise<void>;
  close(): Promise<void>;
}

/** A fixed-size ring of the newest items. */
export class Ring<T> {
  private items: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  push(batch: readonly T[]): void {
    // Only the newest `capacity` items of a big batch can survive: skip the rest.
    const from = Math.max(0, batch.length - this.capacity);
    for (let i = from; i < batch.length; i++) {
      if (this.items.length < this.capacity) this.items.push(batch[i]!);
      else this.items[this.next] = batch[i]!;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  /** Oldest first; at most the newest `limit`. */
  toArray(limit = this.capacity): T[] {
    const ordered =
      this.items.length < this.capacity ? this.items.slice() : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
    return limit < ordered.length ? ordered.slice(ordered.length - limit) : ordered;
  }

  /** Forget the oldest items while `expired` says so (items are in arrival order). */
  dropOldestWhile(expired: (item: T) => boolean): void {
    const ordered = this.toArray();
    let n = 0;
    while (n < ordered.length && expired(ordered[n]!)) n++;
    if (n === 0) return;
    this.items = ordered.slice(n);
    this.next = this.items.length % this.capacity;
  }
}

/**
 * True when a recorded event is older than `ttlMs` at `now`. One without its record time was
 * kept before the pipeline had a TTL: its age is unknown, so it goes (the safe side).
 */
export function isExpired(r: RecordedEvent, ttlMs: number | undefined, now: number): boolean {
  return ttlMs !== undefined && (r.a === undefined || r.a <= now - ttlMs);
}

interface PipelineRecording {
  limits: RecordingLimits;
  rings: Map<string, Ring<RecordedEvent>>;
}

export class MemoryRecordingStore implements RecordingStore {
  private readonly pipelines = new Map<string, PipelineRecording>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    readonly capacity = 10_000,
    o: { sweepMs?: number; now?: () => number } = {},
  ) {
    this.now = o.now ?? Date.now;
    // Expired events are deleted, not only hidden: a sweep a second (cheap when no pipeline has a TTL).
    this.timer = setInterval(() => this.sweep(), o.sweepMs ?? 1000);
    this.timer.unref();
  }

  append(pipelineId: string, nodeId: string, events: readonly RecordedEvent[], limits: RecordingLimits = {}): void {
    const size = Math.min(this.capacity, limits.maxEvents ?? this.capacity);
    let p = this.pipelines.get(pipelineId);
    if (!p) this.pipelines.set(pipelineId, (p = { limits, rings: new Map() }));
    p.limits = limits;
    let ring = p.rings.get(nodeId);
    if (ring && ring.capacity !== size) {
      // The pipeline was redeployed with another size: keep the newest that fit.
      const kept = ring.toArray(size);
      ring = new Ring(size);
      ring.push(kept);
      p.rings.set(nodeId, ring);
    }
    if (!ring) p.rings.set(nodeId, (ring = new Ring(size)));
    ring.push(events);
  }

  /** Delete every expired event; a pipeline left with none is forgotten. */
  sweep(): void {
    const now = this.now();
    for (const [id, p] of this.pipelines) {
      const ttl = p.limits.ttlMs;
      if (ttl === undefined) continue;
      for (const [node, ring] of p.rings) {
        ring.dropOldestWhile((r) => isExpired(r, ttl, now));
        if (ring.size === 0) p.rings.delete(node);
      }
      if (p.rings.size === 0) this.pipelines.delete(id);
    }
  }

  async read(pipelineId: string, limit = this.capacity): Promise<Record<string, RecordedEvent[]>> {
    this.sweep();
    const out: Record<string, RecordedEvent[]> = {};
    for (const [node, ring] of this.pipelines.get(pipelineId)?.rings ?? []) out[node] = ring.toArray(limit);
    return out;
  }

  async stats(pipelineId: string): Promise<RecordingStats> {
    this.sweep();
    const sources: Record<string, number> = {};
    for (const [node, ring] of this.pipelines.get(pipelineId)?.rings ?? []) sources[node] = ring.size;
    return { events: Object.values(sources).reduce((a, b) => a + b, 0), sources, capacity: this.capacity };
  }

  async clear(pipelineId: string): Promise<void> {
    this.pipelines.delete(pipelineId);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }
}
