/**
 * Drill: a Redis that evicts keys (`maxmemory-policy allkeys-lru`, 8 MB) would drop queued
 * batches and task state silently and stall runs. The server, `sluice worker` and `sluice run
 * --engine bullmq` refuse to start on it, naming the setting and the value it must have. A
 * Redis whose CONFIG command is disabled (managed services) cannot be checked: each warns,
 * naming the setting, and starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '@sluice/engine';
import { OwnRedis } from './support/own-redis.js';
import { killQuietly, sluice, until, writeYsbDocument } from './support/redis-drill-process.js';

const NAMED = /maxmemory-policy allkeys-lru; Sluice needs maxmemory-policy noeviction/;
const UNCHECKED = /cannot read maxmemory-policy from Redis at \S+ \(CONFIG is disabled\): make sure it is noeviction/;
let redis: OwnRedis;
let noConfig: OwnRedis;
let dir: string;
beforeAll(async () => {
  redis = await OwnRedis.start({ maxmemoryPolicy: 'allkeys-lru', maxmemory: '8mb' });
  noConfig = await OwnRedis.start({ noConfig: true });
  dir = mkdtempSync(join(tmpdir(), 'sluice-drill-evict-'));
});
afterAll(async () => {
  await redis?.stop();
  await noConfig?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function exitOf(args: string[], url = redis.url): Promise<{ code: number; out: string }> {
  const p = sluice(args, url);
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

describe('a Redis with CONFIG disabled cannot be checked: a warning, and the start goes on', () => {
  it('sluice run --engine bullmq warns and runs to the end', async () => {
    const doc = writeYsbDocument(dir, 1000, join(dir, 'unchecked.jsonl'));
    const { code, out } = await exitOf(['run', doc, '--engine', 'bullmq', '--workers', '1', '--quiet'], noConfig.url);
    expect(out).toMatch(UNCHECKED);
    expect(code, out).toBe(0);
  }, 90_000);

  it('sluice worker warns and serves', async () => {
    const p = sluice(['worker'], noConfig.url);
    try {
      await until('the worker warns', () => UNCHECKED.test(p.out()), 60_000);
      const probe = noConfig.client();
      try {
        // Its heartbeat: it serves the default prefix.
        await until('the worker beats', async () => (await probe.hlen('sluice:workers')) > 0, 60_000);
      } finally {
        probe.disconnect();
      }
    } finally {
      killQuietly(p.proc.pid);
      await p.exited;
    }
  }, 90_000);

  it('the server warns and starts', async () => {
    const lines: string[] = [];
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(dir, 'data-unchecked'),
      examplesDir: join(dir, 'none'),
      editorDist: join(dir, 'none'),
      redisUrl: noConfig.url,
      log: (l) => void lines.push(l),
    });
    try {
      expect(lines.some((l) => UNCHECKED.test(l))).toBe(true);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
