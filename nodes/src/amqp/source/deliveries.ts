/**
 * The messages the broker delivered to source.amqp and when each is acknowledged.
 *
 * Delivered messages wait here for the next poll. The broker sends at most `prefetch`
 * unacknowledged messages, so what waits here is bounded by it: that is the backpressure.
 * Acknowledging on read (the default) frees the broker to send more as soon as a poll hands
 * messages out. Acknowledging after a checkpoint keeps the handed-out messages unacknowledged
 * until `ackUpTo(tag)`: a crash before that, and the broker redelivers them to the next consumer.
 *
 * Delivery tags grow by one per message on a channel, so "every message up to tag N" is one
 * `basic.ack` with multiple=true.
 */
import type { Message } from 'amqplib';

export interface Acker {
  ack(message: Message, allUpTo?: boolean): void;
}

export class Deliveries {
  private waiting: Message[] = [];
  /** Handed out, not yet acknowledged (ack after checkpoint only), in tag order. */
  private handed: Message[] = [];
  /** The delivery tag of the last message handed out; 0 before the first. */
  lastTag = 0;

  constructor(
    private readonly acker: Acker,
    private readonly ackOnRead: boolean,
  ) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  get unackedCount(): number {
    return this.waiting.length + this.handed.length;
  }

  deliver(message: Message): void {
    this.waiting.push(message);
  }

  /** Up to `max` messages, oldest first; acknowledged now when acking on read. */
  take(max: number): Message[] {
    // splice is linear in what waits, which prefetch bounds (65 535 at most).
    const out = this.waiting.splice(0, Math.max(0, max));
    const last = out[out.length - 1];
    if (last === undefined) return out;
    this.lastTag = last.fields.deliveryTag;
    if (this.ackOnRead) this.acker.ack(last, true);
    else for (const m of out) this.handed.push(m);
    return out;
  }

  /** Acknowledges every handed-out message up to delivery tag `tag`; returns how many. */
  ackUpTo(tag: number): number {
    let n = 0;
    while (n < this.handed.length && this.handed[n]!.fields.deliveryTag <= tag) n++;
    if (n === 0) return 0;
    this.acker.ack(this.handed[n - 1]!, true);
    this.handed.splice(0, n);
    return n;
  }
}
