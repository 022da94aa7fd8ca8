/**
 * Inboxes of push sources (source.http), by pipeline and node: the runner opens one when it
 * starts the node's operator, the ingest route offers records to it. Two implementations: in
 * memory (the embedded engine; lost with the process) and a Redis stream per node (BullMQ mode,
 * redis-ingest-hub.ts; survives a server crash). docs/durable-ingest.md.
 */
import { BoundedInbox, type Inbox } from '@sluice/nodes/sdk';

/** 'unavailable': the inbox's backing store cannot take records now (Redis lost the run's state). */
export type OfferResult = 'accepted' | 'full' | 'unknown' | 'unavailable';

export interface IngestHub {
  /**
   * The inbox of a node that starts. A redeploy opens it again: records accepted (202) and
   * not yet read must reach the new run.
   */
  open(pipelineId: string, nodeId: string, capacity: number): Inbox;
  /** The pipeline no longer takes events (stopped, failed, deleted): ingestion answers 409. */
  close(pipelineId: string): void;
  /**
   * All or nothing: 'full' when the records do not all fit (nothing taken, the client retries
   * the request whole), 'unknown' when no inbox is open for the node in this process.
   * 'accepted' only once the records are held (in Redis, for the durable hub).
   */
  offer(pipelineId: string, nodeId: string, records: readonly unknown[]): Promise<OfferResult>;
  /** Records waiting for a node (metrics, tests). */
  waiting(pipelineId: string, nodeId: string): number | Promise<number>;
}

/** The embedded engine's hub: inboxes in this process's memory. */
export class MemoryIngestHub implements IngestHub {
  private readonly inboxes = new Map<string, BoundedInbox>();

  private static key(pipelineId: string, nodeId: string): string {
    return `${pipelineId}\u0000${nodeId}`;
  }

  /** A fresh inbox that carries over what the node's previous inbox still holds. */
  open(pipelineId: string, nodeId: string, capacity: number): BoundedInbox {
    const key = MemoryIngestHub.key(pipelineId, nodeId);
    const inbox = new BoundedInbox(capacity);
    const previous = this.inboxes.get(key);
    if (previous) inbox.adopt(previous);
    this.inboxes.set(key, inbox);
    return inbox;
  }

  close(pipelineId: string): void {
    for (const k of [...this.inboxes.keys()]) if (k.startsWith(`${pipelineId}\u0000`)) this.inboxes.delete(k);
  }

  async offer(pipelineId: string, nodeId: string, records: readonly unknown[]): Promise<OfferResult> {
    const inbox = this.inboxes.get(MemoryIngestHub.key(pipelineId, nodeId));
    if (!inbox) return 'unknown';
    return inbox.offer(records) ? 'accepted' : 'full';
  }

  waiting(pipelineId: string, nodeId: string): number {
    return this.inboxes.get(MemoryIngestHub.key(pipelineId, nodeId))?.size ?? 0;
  }
}

/** The memory hub under its former name (`new IngestHub()` in tests and the embedded setups). */
export const IngestHub = MemoryIngestHub;
