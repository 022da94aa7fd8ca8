/**
 * For tests (the Redis stream nodes' and test/connectors'): the real Redis at REDIS_URL, else
 * 127.0.0.1:6379. A test that cannot reach it fails, saying what it needs.
 */
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function connectTestRedis(): Promise<Redis> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    throw new Error(`these tests need the Redis at ${TEST_REDIS_URL} (set REDIS_URL): ${(err as Error).message}`);
  }
  return redis;
}

/** Delete every key under `prefix` (the test's own), then disconnect. */
export async function releaseTestRedis(redis: Redis | undefined, prefix: string): Promise<void> {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
