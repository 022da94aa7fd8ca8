/**
 * Opening a NATS connection for source.nats and sink.nats: the config and its secrets turned
 * into connection options, and a server that is down, unknown or refuses the credentials fails
 * the start at once with the URL in the message.
 */
import { type ConnectionOptions, connect, type NatsConnection } from 'nats';

export interface NatsConnectOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
  /** Shown in the server's connection list (`nats server report connections`). */
  name: string;
}

/** How long the first connection may take before the start fails. */
const CONNECT_TIMEOUT_MS = 5_000;

export async function connectNats(o: NatsConnectOptions): Promise<NatsConnection> {
  const options: ConnectionOptions = {
    servers: o.url,
    name: o.name,
    timeout: CONNECT_TIMEOUT_MS,
    // Later drops: nats.js reconnects (every 2 s, up to 15 times: about 30 s); after that the
    // connection closes and the node fails the run naming the URL.
    maxReconnectAttempts: 15,
    reconnectTimeWait: 2_000,
    ...(o.username !== undefined ? { user: o.username } : {}),
    ...(o.password !== undefined ? { pass: o.password } : {}),
    ...(o.token !== undefined ? { token: o.token } : {}),
  };
  try {
    return await connect(options);
  } catch (err) {
    throw new Error(`cannot connect to NATS server ${o.url}: ${describeError(err)}`);
  }
}

/** nats.js errors carry a code that is often the whole message (CONNECTION_REFUSED). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code !== err.message) return `${err.message} (${code})`;
  return err.message;
}

/**
 * An error from the JetStream API: a 503 (nobody answers $JS.API) means the server has no
 * JetStream, or this user may not use it; said so rather than as a bare "503".
 */
export function describeJetStreamError(err: unknown): string {
  if ((err as { code?: unknown }).code === '503')
    return 'JetStream is not enabled on this server, or not for this user (503: no answer from the JetStream API)';
  return describeError(err);
}

/** The password or token a config names, read before connecting: a missing secret fails the start naming it. */
export function natsSecrets(
  c: { passwordSecret?: string | undefined; tokenSecret?: string | undefined },
  secret: (name: string) => string,
): { password?: string; token?: string } {
  return {
    ...(c.passwordSecret !== undefined ? { password: secret(c.passwordSecret) } : {}),
    ...(c.tokenSecret !== undefined ? { token: secret(c.tokenSecret) } : {}),
  };
}
