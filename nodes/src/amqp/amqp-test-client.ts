/**
 * For tests of the AMQP nodes (here and in test/connectors): a plain amqplib connection to the
 * real RabbitMQ, queues and exchanges with unique names per run (deleted by `close`), and
 * helpers to publish and read. A broker that does not answer fails the test with what to
 * start, never skips it.
 */
import { randomUUID } from 'node:crypto';
import { type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import { connectOptions } from './connect.js';

export const TEST_AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest@127.0.0.1:5672';
/** The secret the tests' configs name; RabbitMQ's default user is guest/guest (localhost only). */
export const TEST_PASSWORD_SECRET = 'RABBIT_TEST_PASSWORD';
export const TEST_SECRETS: Record<string, string> = { [TEST_PASSWORD_SECRET]: process.env.AMQP_PASSWORD ?? 'guest' };

/** A name no other run uses. */
export function uniqueName(name: string): string {
  return `sluice-test.${name}.${randomUUID().slice(0, 8)}`;
}

export interface SeenMessage {
  routingKey: string;
  body: string;
  persistent: boolean;
  contentType: string | undefined;
}

export class TestBroker {
  private readonly queues: string[] = [];
  private readonly exchanges: string[] = [];

  private constructor(
    private readonly conn: ChannelModel,
    readonly channel: ConfirmChannel,
  ) {}

  static async open(): Promise<TestBroker> {
    let conn: ChannelModel;
    try {
      conn = await connect(connectOptions({ url: TEST_AMQP_URL, password: TEST_SECRETS[TEST_PASSWORD_SECRET] }), { timeout: 5000 });
    } catch (err) {
      throw new Error(
        `the AMQP tests need RabbitMQ on ${TEST_AMQP_URL} (user guest/guest): start it (rabbitmq-server -detached) or set AMQP_URL and AMQP_PASSWORD. ${(err as Error).message}`,
      );
    }
    const channel = await conn.createConfirmChannel();
    return new TestBroker(conn, channel);
  }

  /** A new queue (deleted by close). */
  async queue(name: string): Promise<string> {
    const q = uniqueName(name);
    await this.channel.assertQueue(q, { durable: false });
    this.queues.push(q);
    return q;
  }

  /** A name for a queue the node under test declares; deleted by close. */
  queueName(name: string): string {
    const q = uniqueName(name);
    this.queues.push(q);
    return q;
  }

  async exchange(name: string, type: 'topic' | 'direct' | 'fanout' = 'topic'): Promise<string> {
    const x = uniqueName(name);
    await this.channel.assertExchange(x, type, { durable: false });
    this.exchanges.push(x);
    return x;
  }

  /** Binds a new queue to `exchange` to see what is published there. */
  async tap(exchange: string, key: string): Promise<string> {
    const q = await this.queue('tap');
    await this.channel.bindQueue(q, exchange, key);
    return q;
  }

  /** Publishes to a queue (through the default exchange) and waits for the broker's confirm. */
  async send(queue: string, ...bodies: (string | object)[]): Promise<void> {
    for (const b of bodies) this.channel.sendToQueue(queue, Buffer.from(typeof b === 'string' ? b : JSON.stringify(b)));
    await this.channel.waitForConfirms();
  }

  async publish(exchange: string, routingKey: string, body: string | object): Promise<void> {
    this.channel.publish(exchange, routingKey, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
    await this.channel.waitForConfirms();
  }

  /** Messages ready in `queue` (not delivered to a consumer, or given back). */
  async ready(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /** Takes (and acknowledges) `count` messages from `queue`, or fails after `timeoutMs`. */
  async take(queue: string, count: number, timeoutMs = 5000): Promise<SeenMessage[]> {
    const seen: SeenMessage[] = [];
    const deadline = Date.now() + timeoutMs;
    while (seen.length < count) {
      const m = await this.channel.get(queue, { noAck: true });
      if (m === false) {
        if (Date.now() > deadline)
          throw new Error(`${seen.length} of ${count} messages in ${queue} after ${timeoutMs} ms: ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      seen.push({
        routingKey: m.fields.routingKey,
        body: m.content.toString('utf8'),
        persistent: m.properties.deliveryMode === 2,
        contentType: m.properties.contentType as string | undefined,
      });
    }
    return seen;
  }

  async close(): Promise<void> {
    for (const q of this.queues) await this.channel.deleteQueue(q);
    for (const x of this.exchanges) await this.channel.deleteExchange(x);
    await this.conn.close();
  }
}
