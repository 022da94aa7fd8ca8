/**
 * sink.amqp: publishes each event as JSON on a confirm channel. Messages go out from `process`
 * (no wait for the runtime's next flush) and `flush` waits until the broker confirmed all of
 * them: a batch is done only when the broker has it. A nack, a closed channel or connection, or
 * confirms missing for CONFIRM_TIMEOUT_MS fail the run naming the node and the target.
 */
import type { Event } from '@sluice/shared';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import type { Collector, OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import { closeQuietly, connectAmqp, describeError } from '../connect.js';
import type { SinkAmqpConfig } from './definition.js';
import { compileTemplate } from '../../sdk/template.js';
import { ROUTING_KEY_TEMPLATE } from '../routing-key.js';

/** How long the broker may take to confirm a flush's messages before the run fails. */
export const CONFIRM_TIMEOUT_MS = 30_000;

export const sinkAmqpOperator: OperatorFactory<SinkAmqpConfig> = async (ctx) => {
  const c = ctx.config;
  // Before connecting: a missing secret fails the start naming it, not as a broker refusal.
  const password = c.passwordSecret === undefined ? undefined : ctx.secret(c.passwordSecret);
  const conn = await connectAmqp({ url: c.url, password });
  const sink = new AmqpSink(conn, ctx.nodeId, c);
  try {
    await sink.start();
  } catch (err) {
    await sink.close();
    throw err;
  }
  return sink;
};

/** `exchange "alerts" at amqp://...` (or `the default exchange at ...`), for messages. */
export function publishTarget(c: { exchange: string; url: string }): string {
  return `${c.exchange === '' ? 'the default exchange' : `exchange "${c.exchange}"`} at ${c.url}`;
}

/**
 * A named exchange must exist: a passive declare (the broker closes the channel when it is
 * missing). The default exchange always exists. Also "Check connection" (source-amqp/check.ts).
 */
export async function findExchange(channel: Channel, c: { exchange: string; url: string }): Promise<void> {
  if (c.exchange === '') return;
  try {
    await channel.checkExchange(c.exchange);
  } catch (err) {
    throw new Error(`cannot publish to ${publishTarget(c)}: ${describeError(err)}`);
  }
}

class AmqpSink implements SinkOperator {
  private readonly keyOf: (event: Readonly<Record<string, unknown>>) => string;
  private readonly target: string;
  private channel: ConfirmChannel | undefined;
  /** Published since the last flush, not yet known confirmed. */
  private unconfirmed = 0;
  private failure: string | undefined;
  private blocked: string | undefined;
  private closing = false;

  constructor(
    private readonly conn: ChannelModel,
    private readonly nodeId: string,
    private readonly config: SinkAmqpConfig,
  ) {
    this.keyOf = compileTemplate(config.routingKey, ROUTING_KEY_TEMPLATE);
    this.target = publishTarget(config);
    // amqplib throws an 'error' event nobody listens to: the process would crash.
    conn.on('error', (err: Error) => this.fail(`connection error: ${describeError(err)}`));
    conn.on('close', () => this.fail('the connection closed'));
    // A broker low on memory or disk blocks publishers: confirms wait, the timeout says why.
    conn.on('blocked', (reason: string) => (this.blocked = reason));
    conn.on('unblocked', () => (this.blocked = undefined));
  }

  async start(): Promise<void> {
    const channel = await this.conn.createConfirmChannel();
    this.channel = channel;
    channel.on('error', (err: Error) => this.fail(describeError(err)));
    channel.on('close', () => this.fail('the channel closed'));
    // Publishing to a missing exchange would close the channel at the first message: say it now.
    await findExchange(channel, this.config);
  }

  process(batch: readonly Event[], out: Collector): void {
    // The runtime names the node of a failure thrown here.
    if (this.failure) throw new Error(`cannot publish to ${this.target}: ${this.failure}`);
    const channel = this.channel!;
    const options = { persistent: this.config.persistent, contentType: 'application/json' };
    for (const event of batch) {
      let key: string;
      try {
        key = this.keyOf(event);
      } catch (err) {
        // One event without its key field must not stop the others (and never goes with a
        // wrong key): counted as an error of this node; sinks have no error port.
        out.error(event, err);
        continue;
      }
      try {
        // false means amqplib's write buffer is full; it still holds the message, and the
        // batch is bounded, so flush (which waits for every confirm) is the backpressure.
        channel.publish(this.config.exchange, key, Buffer.from(JSON.stringify(event)), options);
      } catch (err) {
        this.fail(describeError(err));
        throw new Error(`cannot publish to ${this.target}: ${this.failure}`);
      }
      this.unconfirmed++;
    }
  }

  async flush(): Promise<void> {
    this.throwFromFlush();
    if (this.unconfirmed === 0) return;
    const pending = this.unconfirmed;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), CONFIRM_TIMEOUT_MS)));
    try {
      const settled = await Promise.race([this.channel!.waitForConfirms(), timeout]);
      if (settled === 'timeout') {
        this.fail(
          `${pending} messages not confirmed within ${CONFIRM_TIMEOUT_MS / 1000}s${this.blocked ? ` (the broker blocks publishers: ${this.blocked})` : ''}`,
        );
      }
    } catch (err) {
      // "message nacked" (the broker could not take it) or "channel closed" (unconfirmed lost).
      this.fail(describeError(err));
    } finally {
      clearTimeout(timer);
    }
    this.unconfirmed = 0;
    this.throwFromFlush();
  }

  /** A failure surfacing from flush (at the end of a run) is not wrapped with the node by the runtime. */
  private throwFromFlush(): void {
    if (this.failure) throw new Error(`${this.nodeId}: cannot publish to ${this.target}: ${this.failure}`);
  }

  private fail(why: string): void {
    if (!this.closing) this.failure ??= why;
  }

  async close(): Promise<void> {
    this.closing = true;
    await closeQuietly(this.channel);
    await closeQuietly(this.conn);
  }
}
