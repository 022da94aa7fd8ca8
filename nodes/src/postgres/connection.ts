/**
 * One PostgreSQL connection for a node, shared by sink.postgres and source.postgres. The URL
 * carries no password (documents are shared); it comes from the secret the config names.
 */
import pg from 'pg';
import type { OperatorContext } from '../sdk/operator.js';

export interface PostgresConnectionConfig {
  url: string;
  passwordSecret?: string | undefined;
}

export interface ConnectOptions {
  /** Per-connection type parsers (how values are read): never pg's global ones, shared by the engine. */
  types?: pg.CustomTypesConfig;
  /** Called with the client before it connects (a connection check ends it when its time is up). */
  prepare?: (client: pg.Client) => void;
}

/** A failed connect names the server and database, never the password. */
export async function connectPostgres(ctx: OperatorContext<PostgresConnectionConfig>, options: ConnectOptions = {}): Promise<pg.Client> {
  const { url, passwordSecret } = ctx.config;
  const config: pg.ClientConfig = { connectionString: url, application_name: `sluice ${ctx.nodeId}`.slice(0, 63) };
  if (passwordSecret !== undefined) config.password = ctx.secret(passwordSecret);
  if (options.types) config.types = options.types;
  const client = new pg.Client(config);
  // An idle connection dropped by the server emits 'error': without a listener that would crash
  // the process; the next query fails instead, naming the node.
  client.on('error', () => undefined);
  options.prepare?.(client);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new Error(`cannot connect to PostgreSQL at ${url}: ${messageOf(err)}`);
  }
  return client;
}

/** PostgreSQL's message, with its detail and hint when it gave them. */
export function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { detail?: string; hint?: string; code?: string };
  let msg = e.message || e.code || e.name;
  if (e.detail) msg += ` (${e.detail})`;
  if (e.hint) msg += ` hint: ${e.hint}`;
  return msg;
}
