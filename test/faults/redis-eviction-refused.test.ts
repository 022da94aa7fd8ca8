/**
 * Drill: a Redis that evicts keys (`maxmemory-policy allkeys-lru`, 8 MB) would drop queued
 * batches and task state silently and stall runs. The server, `sluice worker` and `sluice run
 * --engine bullmq` refuse to start on it, naming the setting and the value it must have.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '@sluice/engine';
import { OwnRedis } from './support/own-redis.js';
import { killQuietly, sluice, until, writeYsbDocument } from './support/redis-drill-process.js';

const NAMED = /maxmemory-policy allkeys-lru; Sluice needs maxmemory-policy noeviction/;
let redis: OwnRedis;
let dir: string;
beforeAll(async () => {
  redis = await OwnRedis.start({ maxmemoryPolicy: 'allkeys-lru', maxmemory: '8mb' });
  dir = mkdtempSync(join(tmpdir(), 'sluice-drill-evict-'));
});
afterAll(async () => {
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function exitOf(args: string[]): Promise<{ code: number; out: string }> {
  const p = sluice(args, redis.url);
  try {
    const code = await Promise.race([p.exited, until(`sluice ${args[0]} exits`, () => false, 60_000).then(() => -1)]);
    return { code, out: p.out() };
  } finally {
    killQuietly(p.proc.pid);
  }
}

describe('drill: an evicting Redis is refused at start', () => {
  it('sluice run --engine bullmq: exit 1, naming the setting', async () => {
    const doc = writeYsbDocument(dir, 1000, join(dir, 'out.jsonl'));
    const { code, out } = await exitOf(['run', doc, '--engine', 'bullmq', '--workers', '1', '--quiet']);
    expect(code).toBe(1);
    expect(out).toMatch(NAMED);
  }, 90_000);

  it('sluice worker: exit 1, naming the setting', async () => {
    const { code, out } = await exitOf(['worker']);
    expect(code).toBe(1);
    expect(out).toMatch(NAMED);
  }, 90_000);

  it('the server does not start, naming the setting', async () => {
    const start = startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(dir, 'data'),
      examplesDir: join(dir, 'none'),
      editorDist: join(dir, 'none'),
      redisUrl: redis.url,
      log: () => undefined,
    });
    await expect(start).rejects.toThrow(NAMED);
  });
});
