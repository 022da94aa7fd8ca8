/**
 * "Check connection" for source.amqp and sink.amqp (ConnectionCheck, sdk/operator.ts): connects
 * as the node does (connectAmqp: the URL, the password from its secret), looks at the queue or
 * exchange with passive declares only (checkQueue, checkExchange: nothing is declared, bound or
 * consumed, so no message leaves its queue), and closes. A failed passive declare makes the
 * broker close its channel: each runs on a throwaway channel of its own.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { CHECK_TIMEOUT_MS, withinDeadline } from '../sdk/check-deadline.js';
import type { OperatorContext } from '../sdk/operator.js';
import type { SinkAmqpConfig } from './sink/definition.js';
import { findExchange } from './sink/operator.js';
import { ROUTING_KEY_TEMPLATE } from './routing-key.js';
import { compileTemplate } from '../sdk/template.js';
import { closeQuietly, connectAmqp, describeError } from './connect.js';
import type { SourceAmqpConfig } from './source/definition.js';
import { findQueue, queueWhere } from './source/operator.js';

export async function checkAmqpSource(ctx: OperatorContext<SourceAmqpConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  const c = ctx.config;
  return connected(ctx, timeoutMs, async (conn) => {
    let said: string;
    if (!c.declare) {
      // The start's check and message: the queue must exist.
      said = holds(c.queue, await onChannel(conn, (ch) => findQueue(ch, c)));
    } else {
      const found = await onChannel(conn, (ch) => ch.checkQueue(c.queue)).catch(() => undefined);
      said = found ? holds(c.queue, found) : `queue "${c.queue}" does not exist yet: the source declares it at start`;
    }
    if (c.bindExchange !== undefined) {
      const x = c.bindExchange;
      await onChannel(conn, async (ch) => {
        try {
          await ch.checkExchange(x);
        } catch (err) {
          throw new Error(`cannot bind ${queueWhere(c)} to exchange "${x}": ${describeError(err)}`);
        }
      });
      said += `; exchange "${x}" exists to bind it to`;
    }
    return `connected to ${c.url}; ${said}`;
  });
}

export async function checkAmqpSink(ctx: OperatorContext<SinkAmqpConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  const c = ctx.config;
  return connected(ctx, timeoutMs, async (conn) => {
    if (c.exchange !== '') {
      // The start's check and message: publishing to a missing exchange would close the channel.
      await onChannel(conn, (ch) => findExchange(ch, c));
      return `connected to ${c.url}; exchange "${c.exchange}" exists`;
    }
    // The default exchange delivers to the queue named by the routing key, and drops what no queue takes.
    const fixed = fixedKey(c.routingKey);
    if (fixed === undefined)
      return `connected to ${c.url}; the default exchange delivers to the queue each event's routing key names (${c.routingKey}; not checked)`;
    const found = await onChannel(conn, (ch) => findQueue(ch, { queue: fixed, url: c.url })).catch((err: Error) => {
      throw new Error(
        `${err.message}; the default exchange delivers to the queue named by the routing key, and drops a message no queue takes`,
      );
    });
    return `connected to ${c.url}; the default exchange delivers to queue "${fixed}", which ${holding(found)}`;
  });
}

/** Connects as the node would, bounded by the deadline, runs `look`, and closes. */
async function connected(
  ctx: OperatorContext<{ url: string; passwordSecret?: string | undefined }>,
  timeoutMs: number,
  look: (conn: ChannelModel) => Promise<string>,
): Promise<string> {
  const { url, passwordSecret } = ctx.config;
  // Before connecting, as at the start: a missing secret fails naming it, not as a broker refusal.
  const password = passwordSecret === undefined ? undefined : ctx.secret(passwordSecret);
  return withinDeadline(
    url,
    async (deadline) => {
      // amqplib gives up on its own a little after the deadline, and a connection that opens late is closed.
      const conn = await connectAmqp({ url, password, timeoutMs });
      conn.on('error', () => undefined);
      deadline.onExpire(() => closeQuietly(conn));
      try {
        return await look(conn);
      } finally {
        await closeQuietly(conn);
      }
    },
    timeoutMs,
  );
}

/** Runs `use` on a channel of its own, closed afterwards (a failed passive declare closes it already). */
async function onChannel<T>(conn: ChannelModel, use: (ch: Channel) => Promise<T>): Promise<T> {
  const ch = await conn.createChannel();
  // The broker's reason reaches the caller through the rejected call; unheard, the event would crash.
  ch.on('error', () => undefined);
  try {
    return await use(ch);
  } finally {
    await closeQuietly(ch);
  }
}

/** `queue "orders" holds 3 messages (ready), 1 consumer` */
function holds(queue: string, q: { messageCount: number; consumerCount: number }): string {
  return `queue "${queue}" ${holding(q)}`;
}

function holding(q: { messageCount: number; consumerCount: number }): string {
  const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  return `holds ${count(q.messageCount, 'message', 'messages')} (ready), ${count(q.consumerCount, 'consumer', 'consumers')}`;
}

/** The routing key when it takes nothing from the events (an event without fields gets it), else undefined. */
function fixedKey(template: string): string | undefined {
  try {
    return compileTemplate(template, ROUTING_KEY_TEMPLATE)({});
  } catch {
    return undefined;
  }
}
