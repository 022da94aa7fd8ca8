/**
 * Opening a connection for a stream node (server-side). Both nodes connect when the operator is
 * created, so an unreachable Redis, a wrong password or a key that is not a stream fails the
 * start (naming the target) instead of the first read or write.
 */
import { Redis } from 'ioredis';
import { parseRedisUrl } from './redis-url.js';

export interface OpenRedisOptions {
  url: string;
  /** The password, from the secret the config names. */
  password?: string;
  /** `stream "k" at redis://...`, for messages. */
  target: string;
  /** Called with the client before it connects (a connection check disconnects it when its time is up). */
  prepare?: (redis: Redis) => void;
}

/** How long the first connection may take before the start fails. */
const CONNECT_TIMEOUT_MS = 5_000;

export async function openRedis(o: OpenRedisOptions): Promise<Redis> {
  const a = parseRedisUrl(o.url);
  const redis = new Redis({
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username ? { username: a.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(a.tls ? { tls: {} } : {}),
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A short outage is ridden out (commands wait for the reconnect); a long one fails the
    // read or write that waited, and with it the run, with the reason.
    maxRetriesPerRequest: 5,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let lastError: Error | undefined;
  // Without a listener ioredis prints every reconnect failure; the reason reaches the user
  // through the command that fails instead.
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  o.prepare?.(redis);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    // connect() only says "Connection is closed"; the error event has the cause (ECONNREFUSED, WRONGPASS).
    throw new Error(`cannot connect to ${o.target}: ${(lastError ?? (err as Error)).message}`);
  }
  return redis;
}

/** The key must be a stream or not exist yet (a writer creates it). */
export async function checkStreamKey(redis: Redis, key: string, target: string): Promise<void> {
  const type = await redis.type(key);
  if (type !== 'none' && type !== 'stream') throw new Error(`${target}: the key holds a ${type}, not a stream`);
}

/** QUIT when connected (replies still due arrive first), else stop the reconnect loop at once. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through: the connection went away meanwhile
    }
  }
  redis.disconnect();
}

/** A stream entry id: `<ms>-<seq>`. */
export const STREAM_ID = /^\d+-\d+$/;
