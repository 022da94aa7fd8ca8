/** For tests: every key under a prefix, removed (tests own their prefix and leave nothing behind). */
import { createRedis, delKeys, type RedisClient, scanAll } from './redis-client.js';

export async function deletePrefixKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = createRedis(redisUrl);
  try {
    const keys = await keysMatching(redis, `${prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await delKeys(redis, keys.slice(i, i + 1000));
  } finally {
    await redis.quit();
  }
}

/** Every key matching a SCAN pattern (on every master of a cluster). */
export async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  await scanAll(redis, pattern, (keys) => {
    found.push(...keys);
  });
  return found;
}
