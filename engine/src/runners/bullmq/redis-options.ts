import type { Redis, RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';

/** redis://[user:pass@]host:port[/db] -> ioredis options (BullMQ takes options, not URLs). */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`REDIS_URL must start with redis:// (got ${u.protocol})`);
  const o: RedisOptions = { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), maxRetriesPerRequest: null };
  if (u.username) o.username = decodeURIComponent(u.username);
  if (u.password) o.password = decodeURIComponent(u.password);
  const db = u.pathname.replace('/', '');
  if (db) o.db = Number(db);
  if (u.protocol === 'rediss:') o.tls = {};
  return o;
}

/** BullMQ 6 takes the URL itself. */
export function bullConnection(url: string): ConnectionOptions {
  redisOptions(url); // validate early, with our message
  return { url, maxRetriesPerRequest: null };
}

/** QUIT when connected (pending replies arrive first); otherwise drop the reconnect loop at once. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit();
  else redis.disconnect();
}

/**
 * One line per outage instead of ioredis' "[ioredis] Unhandled error event" stack on every
 * retry (a worker started before Redis keeps retrying; that is expected, not a crash), and one
 * line when it is back. Names host:port only: a URL may carry a password.
 */
export function reportRedisErrors(redis: Redis, url: string, log: ((line: string) => void) | undefined): void {
  const where = `Redis ${new URL(url).host}`;
  let down: string | undefined;
  redis.on('error', (err: Error) => {
    const why = err.message || String(err);
    if (down === why) return;
    down = why;
    log?.(`${where} unreachable (${why}); retrying`);
  });
  redis.on('ready', () => {
    if (down === undefined) return;
    down = undefined;
    log?.(`${where} reachable again`);
  });
}
