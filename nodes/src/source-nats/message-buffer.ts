/**
 * The messages received and not yet polled, bounded by `maxBuffered`. The JetStream reader
 * waits for room before it asks the server for more (so the server keeps what does not fit);
 * a core subscription cannot be held back, so what arrives while the buffer is full is dropped
 * and counted.
 */
export interface Received {
  subject: string;
  /** Stream sequence (JetStream only). */
  seq?: number;
  data: Uint8Array;
}

export class MessageBuffer {
  private items: Received[] = [];
  private head = 0;
  private waiting: (() => void) | undefined;
  /** Messages refused since the last `takeDropped` (the buffer was full). */
  private dropped = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds a message; false (and counted) when the buffer is full. */
  offer(m: Received): boolean {
    if (this.size >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.items.push(m);
    return true;
  }

  /** Adds a message the reader asked for (room was reserved with `room()`): never refused. */
  push(m: Received): void {
    this.items.push(m);
  }

  take(max: number): Received[] {
    const end = Math.min(this.items.length, this.head + Math.max(0, max));
    const out = this.items.slice(this.head, end);
    this.head = end;
    // Compact now and then instead of shift() per message (O(n) each).
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (out.length > 0) this.wake();
    return out;
  }

  /** Resolves with the free room once there is some (or at once); `wake` releases it too. */
  room(): Promise<number> {
    const free = this.capacity - this.size;
    if (free > 0) return Promise.resolve(free);
    return new Promise((resolve) => {
      this.waiting = () => resolve(Math.max(0, this.capacity - this.size));
    });
  }

  /** Releases a reader waiting for room (after a take, or because it must stop). */
  wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.wake();
  }

  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }
}
