/**
 * Opening an amqplib connection for source.amqp and sink.amqp: the config's URL (no password)
 * plus the secret become amqplib's connect options, and a broker that is down, refuses the
 * credentials or lacks the vhost fails the start at once with the URL in the message.
 */
import { type ChannelModel, connect, type Options } from 'amqplib';

/** How long the TCP connect and AMQP handshake may take before the start fails. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface AmqpConnectOptions {
  /** As the config writes it: amqp://user@host:port/vhost?heartbeat=30 */
  url: string;
  password?: string | undefined;
  /** Instead of CONNECT_TIMEOUT_MS (a connection check has less time). */
  timeoutMs?: number;
}

export async function connectAmqp(o: AmqpConnectOptions): Promise<ChannelModel> {
  try {
    return await connect(connectOptions(o), { timeout: o.timeoutMs ?? CONNECT_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`cannot connect to RabbitMQ ${o.url}: ${describeError(err)}`);
  }
}

/**
 * amqplib's object form, so the password is passed as it is (its string form would run it
 * through the legacy `unescape`, which garbles non-ASCII passwords).
 */
export function connectOptions(o: AmqpConnectOptions): Options.Connect {
  const u = new URL(o.url);
  const q = u.searchParams;
  const num = (name: string) => (q.has(name) ? Number(q.get(name)) : undefined);
  const options: Options.Connect = {
    protocol: u.protocol.replace(/:$/, ''),
    hostname: u.hostname.replace(/^\[|\]$/g, ''),
    // amqplib unescapes the vhost itself (%2F is "/"); an empty path is the default vhost "/".
    vhost: u.pathname.slice(1),
  };
  if (u.port !== '') options.port = Number(u.port);
  // No user and no secret: amqplib's default, guest (which RabbitMQ accepts from localhost only).
  if (u.username !== '' || o.password !== undefined) {
    options.username = decodeURIComponent(u.username);
    options.password = o.password ?? '';
  }
  const heartbeat = num('heartbeat');
  if (heartbeat !== undefined) options.heartbeat = heartbeat;
  const frameMax = num('frameMax');
  if (frameMax !== undefined) options.frameMax = frameMax;
  return options;
}

/** amqplib's errors: network codes, or the broker's reply ("403 (ACCESS-REFUSED) ..."). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (err.message === '' && code !== undefined) return String(code);
  // AggregateError (every address refused) has an empty message: say what its parts say.
  if (err instanceof AggregateError && err.message === '') return err.errors.map(describeError).join('; ');
  return err.message;
}

/** Closes without caring whether the broker already closed it. */
export async function closeQuietly(c: { close(): Promise<void> } | undefined): Promise<void> {
  try {
    await c?.close();
  } catch {
    // Already closed (by the broker, or by a failure we are reporting).
  }
}
