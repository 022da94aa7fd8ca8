/**
 * Inboxes of push sources (source.http), by pipeline and node: the runner opens one when it
 * starts the node's operator, the ingest route offers records to it. Two implementations: in
 * memory (the embedded engine; lost with the process) and a Redis stream per node (BullMQ mode,
 * redis-ingest-hub.ts; survives a server crash). docs/durable-ingest.md.
 */
import { BoundedInbox, type Inbox, type InboxSplit } from '@sluice/nodes/sdk';
import { type NodeSplit, placeRecords, type Unplaced } from './ingest-placement.js';

/**
 * 'unavailable': the inbox's backing store cannot take records now (Redis lost the run's state).
 * `{ unplaced }`: a split node's record has no key in `partitionBy` (nothing was taken).
 */
export type OfferResult = 'accepted' | 'full' | 'unknown' | 'unavailable' | Unplaced;

export interface IngestHub {
  /**
   * The inbox of a node that starts. A redeploy opens it again: records accepted (202) and
   * not yet read must reach the new run. A split node's partition passes `split` and gets its
   * own inbox; the node's capacity is shared by its partitions.
   */
  open(pipelineId: string, nodeId: string, capacity: number, split?: InboxSplit): Inbox;
  /** The pipeline no longer takes events (stopped, failed, deleted): ingestion answers 409. */
  close(pipelineId: string): void;
  /**
   * All or nothing: 'full' when the records do not all fit (nothing taken, the client retries
   * the request whole), 'unknown' when no inbox is open for the node in this process. A split
   * node's records are placed by key (ingest-placement.ts).
   * 'accepted' only once the records are held (in Redis, for the durable hub).
   */
  offer(pipelineId: string, nodeId: string, records: readonly unknown[]): Promise<OfferResult>;
  /** Records waiting for a node (metrics, tests). */
  waiting(pipelineId: string, nodeId: string): number | Promise<number>;
}

/** The embedded engine's hub: inboxes in this process's memory, one per partition of a split node. */
export class MemoryIngestHub implements IngestHub {
  private readonly inboxes = new Map<string, BoundedInbox>();
  /** Split nodes (pipeline\0node): how their records are placed, and the shared capacity. */
  private readonly splits = new Map<string, NodeSplit & { capacity: number }>();

  private static key(pipelineId: string, nodeId: string, partition?: number): string {
    return `${pipelineId}\u0000${nodeId}${partition === undefined ? '' : `#${partition}`}`;
  }

  /** A fresh inbox that carries over what the node's (partition's) previous inbox still holds. */
  open(pipelineId: string, nodeId: string, capacity: number, split?: InboxSplit): BoundedInbox {
    const node = MemoryIngestHub.key(pipelineId, nodeId);
    if (split) {
      this.splits.set(node, { of: split.of, partitionBy: split.partitionBy, capacity });
      // Every partition's inbox exists from the first open: records for one that starts later wait there.
      for (let p = 0; p < split.of; p++) {
        const k = MemoryIngestHub.key(pipelineId, nodeId, p);
        if (!this.inboxes.has(k)) this.inboxes.set(k, new BoundedInbox(capacity));
      }
    } else this.splits.delete(node);
    const key = split ? MemoryIngestHub.key(pipelineId, nodeId, split.index) : node;
    const inbox = new BoundedInbox(capacity);
    const previous = this.inboxes.get(key);
    if (previous) inbox.adopt(previous);
    this.inboxes.set(key, inbox);
    return inbox;
  }

  close(pipelineId: string): void {
    for (const map of [this.inboxes, this.splits]) for (const k of [...map.keys()]) if (k.startsWith(`${pipelineId}\u0000`)) map.delete(k);
  }

  async offer(pipelineId: string, nodeId: string, records: readonly unknown[]): Promise<OfferResult> {
    const split = this.splits.get(MemoryIngestHub.key(pipelineId, nodeId));
    if (split) return this.offerSplit(pipelineId, nodeId, split, records);
    const inbox = this.inboxes.get(MemoryIngestHub.key(pipelineId, nodeId));
    if (!inbox) return 'unknown';
    return inbox.offer(records) ? 'accepted' : 'full';
  }

  /** All or nothing over the partitions: placed first, the node's capacity checked once. */
  private offerSplit(
    pipelineId: string,
    nodeId: string,
    split: NodeSplit & { capacity: number },
    records: readonly unknown[],
  ): OfferResult {
    const placed = placeRecords(records, split);
    if (!Array.isArray(placed)) return placed;
    if (this.waiting(pipelineId, nodeId) + records.length > split.capacity) return 'full';
    const groups = Array.from({ length: split.of }, () => [] as unknown[]);
    for (let i = 0; i < records.length; i++) groups[placed[i]!]!.push(records[i]);
    // Each partition's inbox may hold the whole capacity: the node's total was checked above.
    for (const [p, group] of groups.entries()) this.inboxes.get(MemoryIngestHub.key(pipelineId, nodeId, p))!.offer(group);
    return 'accepted';
  }

  waiting(pipelineId: string, nodeId: string): number {
    const split = this.splits.get(MemoryIngestHub.key(pipelineId, nodeId));
    if (!split) return this.inboxes.get(MemoryIngestHub.key(pipelineId, nodeId))?.size ?? 0;
    let n = 0;
    for (let p = 0; p < split.of; p++) n += this.inboxes.get(MemoryIngestHub.key(pipelineId, nodeId, p))?.size ?? 0;
    return n;
  }
}

/** The memory hub under its former name (`new IngestHub()` in tests and the embedded setups). */
export const IngestHub = MemoryIngestHub;
