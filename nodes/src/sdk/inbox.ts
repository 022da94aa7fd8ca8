/**
 * Events handed to a source by its host (the HTTP ingest route feeds `source.http` through
 * one). Bounded: `offer` refuses a batch that does not fit, so the caller can answer 429.
 */
export interface Inbox {
  /** Up to `max` records, oldest first. */
  take(max: number): unknown[];
  readonly size: number;
}

export class BoundedInbox implements Inbox {
  private items: unknown[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** All or nothing: a refused batch can be retried whole, so nothing is taken twice. */
  offer(records: readonly unknown[]): boolean {
    if (this.size + records.length > this.capacity) return false;
    for (const r of records) this.items.push(r);
    return true;
  }

  take(max: number): unknown[] {
    const end = Math.min(this.items.length, this.head + Math.max(0, max));
    const out = this.items.slice(this.head, end);
    this.head = end;
    // Compact now and then instead of shift() per record (O(n) each).
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /**
   * Move every record still waiting in `previous` to the front of this inbox (a redeploy
   * replaces the inbox; records already accepted with 202 must not be lost). May exceed the
   * capacity for a while: offers are then refused until the source catches up.
   */
  adopt(previous: BoundedInbox): void {
    const carried = previous.take(previous.size);
    if (carried.length === 0) return;
    this.items = [...carried, ...this.items.slice(this.head)];
    this.head = 0;
  }
}
