/**
 * source.amqp: consumes a RabbitMQ queue. Unlike a Redis stream or a table, a queue cannot be
 * re-read from a position: progress is what the broker has been told (acknowledgements), and
 * the broker redelivers every unacknowledged message when this consumer's channel closes. So
 * the position is only a delivery tag on this channel, and `onCheckpoint` is where the
 * acknowledgements go when `ackAfterCheckpoint` is set (README.md: Delivery).
 */
import { durationMs, type Event } from '@sluice/shared';
import type { Channel, ChannelModel, Message, Replies } from 'amqplib';
import type { SourceBatch, SourceFactory, SourceOperator } from '../../sdk/operator.js';
import { RecordClock } from '../../sdk/source-time.js';
import { closeQuietly, connectAmqp, describeError } from '../connect.js';
import { type MessageDecoder, messageDecoder } from '../../sdk/decode-message.js';
import type { SourceAmqpConfig } from './definition.js';
import { Deliveries } from './deliveries.js';

export const sourceAmqpOperator: SourceFactory<SourceAmqpConfig> = async (ctx) => {
  const c = ctx.config;
  // Before connecting: a missing secret fails the start naming it, not as a broker refusal.
  const password = c.passwordSecret === undefined ? undefined : ctx.secret(c.passwordSecret);
  const conn = await connectAmqp({ url: c.url, password });
  // Split (`parallelism`): each partition is one more competing consumer on the same queue.
  const consumerTag = ctx.partition && ctx.partition.of > 1 ? `sluice ${ctx.nodeId}#${ctx.partition.index}` : undefined;
  const source = new AmqpSource(conn, c, ctx.nodeId, ctx.now, consumerTag);
  try {
    await source.start();
  } catch (err) {
    await source.close();
    throw err;
  }
  return source;
};

/** `queue "orders" at amqp://...`, for messages. */
export function queueWhere(c: { queue: string; url: string }): string {
  return `queue "${c.queue}" at ${c.url}`;
}

/**
 * The queue must exist: a passive declare, which takes nothing from it (and which the broker
 * answers by closing the channel when the queue is missing). Also "Check connection" (check.ts).
 */
export async function findQueue(channel: Channel, c: { queue: string; url: string }): Promise<Replies.AssertQueue> {
  try {
    return await channel.checkQueue(c.queue);
  } catch (err) {
    throw new Error(`cannot find ${queueWhere(c)}: ${describeError(err)}`);
  }
}

class AmqpSource implements SourceOperator {
  /** A queue redelivers, it cannot be re-read: the BullMQ runner keeps the batch in flight itself. */
  readonly replayable = false;
  private readonly clock: RecordClock;
  private readonly decode: MessageDecoder;
  private channel: Channel | undefined;
  private deliveries: Deliveries | undefined;
  /** Why the consumer is gone (connection or channel closed, consumer cancelled): fails the next poll. */
  private lost: string | undefined;
  private closing = false;
  /** The broker's name for this consumer (to cancel it), once consuming. */
  private consuming: string | undefined;
  /** stopReading was called: no more deliveries; polls hand out what is left. */
  private stopped = false;

  constructor(
    private readonly conn: ChannelModel,
    private readonly c: SourceAmqpConfig,
    private readonly nodeId: string,
    private readonly now: () => number,
    private readonly consumerTag: string | undefined,
  ) {
    this.clock = new RecordClock(c.timeField, durationMs(c.maxOutOfOrderness));
    this.decode = messageDecoder({ field: 'routingKey', noun: 'routing key' }, { format: c.format, includeAddress: c.includeRoutingKey });
    // amqplib throws an 'error' event nobody listens to: the process would crash.
    conn.on('error', (err: Error) => this.lose(`connection error: ${describeError(err)}`));
    conn.on('close', () => this.lose('the connection closed'));
  }

  async start(): Promise<void> {
    const { c } = this;
    const channel = await this.conn.createChannel();
    this.channel = channel;
    channel.on('error', (err: Error) => this.lose(describeError(err)));
    channel.on('close', () => this.lose('the channel closed'));
    const where = queueWhere(c);
    if (c.declare) {
      try {
        await channel.assertQueue(c.queue, { durable: true });
      } catch (err) {
        throw new Error(`cannot declare ${where}: ${describeError(err)}`);
      }
    } else {
      await findQueue(channel, c);
    }
    if (c.bindExchange !== undefined) {
      for (const key of c.routingKeys ?? ['']) {
        try {
          await channel.bindQueue(c.queue, c.bindExchange, key);
        } catch (err) {
          throw new Error(`cannot bind ${where} to exchange "${c.bindExchange}" with key "${key}": ${describeError(err)}`);
        }
      }
    }
    const deliveries = new Deliveries(channel, !c.ackAfterCheckpoint);
    this.deliveries = deliveries;
    // Per consumer (global false): the broker stops sending when `prefetch` are unacknowledged.
    await channel.prefetch(c.prefetch);
    try {
      const reply = await channel.consume(
        c.queue,
        (m) => (m === null ? this.lose(`the broker cancelled the consumer (queue "${c.queue}" deleted?)`) : deliveries.deliver(m)),
        { noAck: false, ...(this.consumerTag ? { consumerTag: this.consumerTag } : {}) },
      );
      this.consuming = reply.consumerTag;
    } catch (err) {
      throw new Error(`cannot consume from ${where}: ${describeError(err)}`);
    }
  }

  private lose(why: string): void {
    if (!this.closing) this.lost ??= why;
  }

  poll(max: number): SourceBatch {
    // Letting go and the channel is gone: the broker redelivers what it held, nothing to hand out.
    if (this.lost !== undefined && this.stopped) return { events: [], watermark: this.clock.watermarkAt(this.now()), done: false };
    // The runtimes do not name the source when its poll fails: this message does.
    if (this.lost !== undefined) throw new Error(`${this.nodeId}: lost queue "${this.c.queue}" at ${this.c.url}: ${this.lost}`);
    let messages: Message[];
    try {
      messages = this.deliveries!.take(max);
    } catch (err) {
      throw new Error(`${this.nodeId}: cannot acknowledge messages of queue "${this.c.queue}" at ${this.c.url}: ${describeError(err)}`);
    }
    const now = this.now();
    const events: Event[] = [];
    const errors: { event: Event; error: string }[] = [];
    for (const m of messages) {
      const routingKey = m.fields.routingKey;
      const d = this.decode(routingKey, m.content);
      if ('error' in d) {
        errors.push(d);
        continue;
      }
      const why = this.clock.stampRecord(d.record, now);
      if (why === undefined) events.push(d.record as Event);
      else errors.push({ event: d.record as Event, error: `routing key ${routingKey}: ${why}` });
    }
    return { events, watermark: this.clock.watermarkAt(now), done: false, ...(errors.length > 0 ? { errors } : {}) };
  }

  /** The delivery tag of the last message handed out. Meaningful on this channel only. */
  position(): number {
    return this.deliveries?.lastTag ?? 0;
  }

  /**
   * A restart restores a position from another channel, which means nothing here: the broker
   * already redelivers, to this new consumer, every message the old one had not acknowledged.
   * So seeking does nothing, whatever the position.
   */
  seek(_position: unknown): void {}

  /** A durable checkpoint covers every message up to this delivery tag: acknowledge them. */
  onCheckpoint(position: unknown): void {
    if (typeof position !== 'number' || this.lost !== undefined) return;
    try {
      this.deliveries?.ackUpTo(position);
    } catch (err) {
      // The channel is gone: the broker redelivers those messages; the next poll fails the run.
      this.lose(`cannot acknowledge: ${describeError(err)}`);
    }
  }

  /**
   * A clean handover: cancel the consumer, so that every message delivered to it is read here,
   * checkpointed and acknowledged before the channel closes. Otherwise closing would requeue
   * them to the other consumers, behind messages those already read: late for their windows.
   * After cancel-ok the broker delivers nothing more, and what it delivered before has reached
   * `deliveries` (one channel, frames in order).
   */
  async stopReading(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.consuming === undefined || this.lost !== undefined) return;
    try {
      await this.channel!.cancel(this.consuming);
    } catch (err) {
      this.lose(`cannot cancel the consumer: ${describeError(err)}`);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    // Closing the channel hands every unacknowledged message back to the queue (after
    // stopReading and the last checkpoint, none).
    await closeQuietly(this.channel);
    await closeQuietly(this.conn);
  }
}
