/**
 * The messages received and not yet polled, bounded by `maxBuffered`. The JetStream reader
 * waits for room before it asks the server for more (so the server keeps what does not fit);
 * a core subscription cannot be held back, so what arrives while the buffer is full is dropped
 * and counted.
 */
import { FifoQueue } from '../../sdk/fifo-queue.js';

export interface Received {
  subject: string;
  /** Stream sequence (JetStream only). */
  seq?: number;
  data: Uint8Array;
}

export class MessageBuffer {
  private readonly queue = new FifoQueue<Received>();
  private waiting: (() => void) | undefined;
  /** Messages refused since the last `takeDropped` (the buffer was full). */
  private dropped = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.queue.size;
  }

  /** Adds a message; false (and counted) when the buffer is full. */
  offer(m: Received): boolean {
    if (this.size >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.queue.push(m);
    return true;
  }

  /** Adds a message the reader asked for (room was reserved with `room()`): never refused. */
  push(m: Received): void {
    this.queue.push(m);
  }

  take(max: number): Received[] {
    const out = this.queue.take(max);
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
    this.queue.clear();
    this.wake();
  }

  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }
}
