/**
 * Inboxes of push sources (source.http), by pipeline and node: the runner creates one when it
 * starts the node's operator, the ingest route offers records to it.
 */
import { BoundedInbox } from '@sluice/nodes/sdk';

export type OfferResult = 'accepted' | 'full' | 'unknown';

export class IngestHub {
  private readonly inboxes = new Map<string, BoundedInbox>();

  private static key(pipelineId: string, nodeId: string): string {
    return `${pipelineId}\u0000${nodeId}`;
  }

  /**
   * A fresh inbox for a node that starts. A redeploy replaces the old inbox but carries over
   * the records it still holds: they were accepted (202) and must reach the new run.
   */
  open(pipelineId: string, nodeId: string, capacity: number): BoundedInbox {
    const key = IngestHub.key(pipelineId, nodeId);
    const inbox = new BoundedInbox(capacity);
    const previous = this.inboxes.get(key);
    if (previous) inbox.adopt(previous);
    this.inboxes.set(key, inbox);
    return inbox;
  }

  /** The pipeline no longer takes events (stopped, failed, deleted): ingestion answers 409. */
  close(pipelineId: string): void {
    for (const k of [...this.inboxes.keys()]) if (k.startsWith(`${pipelineId}\u0000`)) this.inboxes.delete(k);
  }

  offer(pipelineId: string, nodeId: string, records: readonly unknown[]): OfferResult {
    const inbox = this.inboxes.get(IngestHub.key(pipelineId, nodeId));
    if (!inbox) return 'unknown';
    return inbox.offer(records) ? 'accepted' : 'full';
  }

  /** Records waiting for a node (metrics, tests). */
  waiting(pipelineId: string, nodeId: string): number {
    return this.inboxes.get(IngestHub.key(pipelineId, nodeId))?.size ?? 0;
  }
}
