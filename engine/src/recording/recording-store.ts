/**
 * Where recordings live: the last `capacity` events of each source of each deployed pipeline.
 * In memory for the embedded engine; a capped Redis list per source in BullMQ mode, so the
 * recording outlives a server restart like the run itself does.
 */
import type { RecordingStats } from '@sluice/shared';
import type { RecordedEvent } from './recorded-event.js';

export type { RecordingStats };

export interface RecordingStore {
  readonly capacity: number;
  /** Append events of one source (the oldest fall out beyond capacity). */
  append(pipelineId: string, nodeId: string, events: readonly RecordedEvent[]): void;
  /** The last `limit` events of every recorded source of a pipeline, oldest first. */
  read(pipelineId: string, limit?: number): Promise<Record<string, RecordedEvent[]>>;
  stats(pipelineId: string): Promise<RecordingStats>;
  clear(pipelineId: string): Promise<void>;
  close(): Promise<void>;
}

/** A fixed-size ring of the newest items. */
export class Ring<T> {
  private readonly items: T[] = [];
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
}

export class MemoryRecordingStore implements RecordingStore {
  private readonly rings = new Map<string, Map<string, Ring<RecordedEvent>>>();

  constructor(readonly capacity = 10_000) {}

  append(pipelineId: string, nodeId: string, events: readonly RecordedEvent[]): void {
    let byNode = this.rings.get(pipelineId);
    if (!byNode) this.rings.set(pipelineId, (byNode = new Map()));
    let ring = byNode.get(nodeId);
    if (!ring) byNode.set(nodeId, (ring = new Ring(this.capacity)));
    ring.push(events);
  }

  async read(pipelineId: string, limit = this.capacity): Promise<Record<string, RecordedEvent[]>> {
    const out: Record<string, RecordedEvent[]> = {};
    for (const [node, ring] of this.rings.get(pipelineId) ?? []) out[node] = ring.toArray(limit);
    return out;
  }

  async stats(pipelineId: string): Promise<RecordingStats> {
    const sources: Record<string, number> = {};
    for (const [node, ring] of this.rings.get(pipelineId) ?? []) sources[node] = ring.size;
    return { events: Object.values(sources).reduce((a, b) => a + b, 0), sources, capacity: this.capacity };
  }

  async clear(pipelineId: string): Promise<void> {
    this.rings.delete(pipelineId);
  }

  async close(): Promise<void> {}
}
