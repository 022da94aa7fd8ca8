/**
 * The messages MQTT.js pushed to source.mqtt, waiting for the next poll, and the backpressure
 * that bounds them.
 *
 * MQTT.js handles incoming packets one at a time: the next packet is not parsed, and a QoS 1/2
 * message is not acknowledged, until `client.handleMessage(packet, callback)` calls back. So
 * holding that callback is real backpressure: with the buffer full the client stops reading
 * its socket, TCP fills up, and the broker keeps (QoS 1/2, per its queue limits) or drops
 * (QoS 0, per its policy) what it cannot send. A poll that makes room releases the callback.
 */
import { FifoQueue } from '../../sdk/fifo-queue.js';

export interface Received {
  topic: string;
  payload: Buffer;
}

export class MessageBuffer {
  private readonly queue = new FifoQueue<Received>();
  /** The acknowledgement held back while the buffer is full (at most one: MQTT.js is serial). */
  private held: (() => void) | undefined;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.queue.size;
  }

  /** True while the client is held: nothing more is read from the broker. */
  get paused(): boolean {
    return this.held !== undefined;
  }

  /** A message from MQTT.js; `ack` lets the client acknowledge it and read the next packet. */
  offer(message: Received, ack: () => void): void {
    this.queue.push(message);
    if (this.size >= this.capacity) this.held = ack;
    else ack();
  }

  take(max: number): Received[] {
    const out = this.queue.take(max);
    if (this.held && this.size < this.capacity) {
      const ack = this.held;
      this.held = undefined;
      ack();
    }
    return out;
  }

  /**
   * The connection the held acknowledgement belongs to is gone: never send it on the next one.
   * The message stays buffered; a broker resuming the session (cleanSession false, QoS 1/2)
   * sends it again, so it may be seen twice (at least once).
   */
  forgetHeld(): void {
    this.held = undefined;
  }
}
