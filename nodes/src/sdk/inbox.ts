/**
 * Events handed to a source by its host (the HTTP ingest route feeds `source.http` through
 * one). Bounded: the host refuses a batch that does not fit, so the ingest route can answer 429.
 *
 * A memory inbox (BoundedInbox) is synchronous and has no position: what it held is lost with
 * the process. A durable inbox (the server's Redis stream in BullMQ mode) is read
 * asynchronously from a position the runtime checkpoints, re-read from a checkpoint after a
 * restart, and released up to a checkpoint once that checkpoint is durable.
 */
import { FifoQueue } from './fifo-queue.js';

/**
 * A split push source's partition (`parallelism` N above 1): the host places each record in
 * partition keyPartition(keyText(record[partitionBy]), N) (@sluice/shared, key-partition.ts),
 * and partition `index` reads its own inbox. docs/durable-ingest.md.
 */
export interface InboxSplit {
  index: number;
  of: number;
  /** The record field (dots for nested fields) whose value places the record. */
  partitionBy: string;
}

export interface Inbox {
  /** Up to `max` records, oldest first, after the current position (which moves past them). */
  take(max: number): unknown[] | Promise<unknown[]>;
  /** Where the next `take` starts (durable inboxes): checkpointed with the source. */
  position?(): unknown;
  /** Read again from a position `position()` returned (a restart replays from a checkpoint). */
  seek?(position: unknown): void | Promise<void>;
  /**
   * A checkpoint at `position` is durable: records up to it are never read again and may be
   * deleted. Records after it must stay.
   */
  release?(position: unknown): Promise<void>;
}

export class BoundedInbox implements Inbox {
  private readonly queue = new FifoQueue<unknown>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.queue.size;
  }

  /** All or nothing: a refused batch can be retried whole, so nothing is taken twice. */
  offer(records: readonly unknown[]): boolean {
    if (this.size + records.length > this.capacity) return false;
    for (const r of records) this.queue.push(r);
    return true;
  }

  take(max: number): unknown[] {
    return this.queue.take(max);
  }

  /**
   * Move every record still waiting in `previous` to the front of this inbox (a redeploy
   * replaces the inbox; records already accepted with 202 must not be lost). May exceed the
   * capacity for a while: offers are then refused until the source catches up.
   */
  adopt(previous: BoundedInbox): void {
    this.queue.unshiftAll(previous.take(previous.size));
  }
}
