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

  /** A fresh inbox for a node that starts (a redeploy replaces the old one). */
  open(pipelineId: string, nodeId: string, capacity: number): BoundedInbox {
    const inbox = new BoundedInbox(capacity);
    this.inboxes.set(IngestHub.key(pipelineId, nodeId), inbox);
    return inbox;
  }

  close(pipelineId: string): void {
    for (const k of [...this.inboxes.keys()]) if (k.startsWith(`${pipelineId}\u0000`)) this.inboxes.delete(k);
  }

  offer(pipelineId: string, nodeId: string, records: readonly unknown[]): OfferResult {
    const inbox = this.inboxes.get(IngestHub.key(pipelineId, nodeId));
    if (!inbox) return 'unknown';
    return inbox.offer(records) ? 'accepted' : 'full';
  }
}
