/**
 * What the Redis under the BullMQ runner must be (docs/operations.md, "Redis requirements"),
 * checked when a server, a worker or `sluice run --engine bullmq` starts:
 * - `maxmemory-policy noeviction`, or the start is refused: an evicting Redis drops queued
 *   batches and task state silently, and the run stalls or loses output;
 * - `appendonly yes` is recommended: without it a Redis restart loses every run's state. That
 *   is detected (run-marker.ts) and fails the runs loudly, so it is a warning, not a refusal
 *   (a throwaway Redis for development and CI keeps nothing on disk).
 * A Redis with CONFIG disabled (managed services rename it) cannot be checked: one warning.
 * The check connects as every other connection does (redis-options.ts), TLS included: a
 * `rediss://` Redis is checked over TLS, and a certificate this process does not trust is
 * refused like a wrong setting (waiting would not fix it).
 */
import type { Redis } from 'ioredis';
import { createRedisOnce, isClusterUrl, keyHolders, redisWhere } from './redis-client.js';
import { certificateRejected } from './redis-options.js';

/** The start is refused: the message names the setting and the value it must have. */
export class RedisConfigRefused extends Error {
  readonly code = 'redis-config-refused';
}

export interface RedisRequirementsOptions {
  /** Warnings (AOF off, CONFIG unavailable); each is said once per call. */
  warn: (line: string) => void;
  /** How long to wait for Redis to answer (default 5 s). */
  timeoutMs?: number;
  /**
   * Redis does not answer: 'throw' (a CLI run or worker cannot do anything) or 'warn' (a server
   * starts anyway; /readyz says 503 until Redis answers).
   */
  unreachable?: 'throw' | 'warn';
}

export async function checkRedisRequirements(url: string, o: RedisRequirementsOptions): Promise<void> {
  const where = redactedUrl(url);
  const redis = createRedisOnce(url, o.timeoutMs ?? 5000);
  // The TLS failure comes as an 'error' event; connect() may only say the connection closed.
  let failure: unknown;
  redis.on('error', (err) => {
    failure ??= err;
  });
  try {
    try {
      await redis.connect();
    } catch (err) {
      const untrusted = certificateRejected(failure) ?? certificateRejected(err);
      if (untrusted) throw new RedisConfigRefused(`Redis at ${where}: ${untrusted}`);
      const message = `Redis does not answer at ${where} (set REDIS_URL): ${((failure ?? err) as Error).message}`;
      if (o.unreachable !== 'warn') throw new Error(message);
      o.warn(`${message}; its maxmemory-policy and appendonly settings were not checked`);
      return;
    }
    // A cluster: every master holds keys, so every master must keep them.
    for (const node of keyHolders(redis)) {
      const at = keyHolders(redis).length > 1 ? `${where} (master ${node.options.host}:${node.options.port})` : where;
      const policy = await configGet(node, 'maxmemory-policy');
      if (policy === undefined) {
        o.warn(
          `cannot read maxmemory-policy from Redis at ${at} (CONFIG is disabled): make sure it is noeviction, or evicted keys will stall or corrupt runs (docs/operations.md)`,
        );
        continue;
      }
      if (policy !== 'noeviction') {
        throw new RedisConfigRefused(
          `Redis at ${at} has maxmemory-policy ${policy}; Sluice needs maxmemory-policy noeviction ` +
            '(an evicting Redis silently drops queued batches and state). Set it in redis.conf or with CONFIG SET maxmemory-policy noeviction.',
        );
      }
      const aof = await configGet(node, 'appendonly');
      if (aof === 'no') {
        o.warn(
          `Redis at ${at} has appendonly no: if it restarts, every run's state is lost and those runs fail (set appendonly yes with appendfsync everysec or always; docs/operations.md)`,
        );
      }
    }
  } finally {
    redis.disconnect();
  }
}

/** CONFIG GET one setting; undefined when CONFIG is not allowed. */
async function configGet(redis: Redis, name: string): Promise<string | undefined> {
  try {
    const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
    return reply[1];
  } catch {
    return undefined;
  }
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  if (isClusterUrl(url)) return redisWhere(url);
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
