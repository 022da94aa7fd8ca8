/**
 * `sluice worker` started before its Redis: it waits, saying so in one line (not an ioredis
 * stack per retry), and serves once Redis answers. Uses a Redis of its own (stopped first, then
 * started), never the shared one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OwnRedis } from '../faults/support/own-redis.js';
import { waitUntil } from '../faults/support/wait-until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../engine/src/cli/main.ts', import.meta.url));

let redis: OwnRedis | undefined;
let worker: ChildProcess | undefined;

afterAll(async () => {
  worker?.kill('SIGKILL');
  await redis?.stop();
});

/** Polls `read()` until `ok` holds, or fails after `ms` with what was read. */
async function waitFor(what: string, read: () => string, ok: (s: string) => boolean, ms = 60_000): Promise<void> {
  await waitUntil(() => ok(read()), ms, `no ${what}`).catch((err: Error) => {
    throw new Error(`${err.message}; the worker said:\n${read()}`);
  });
}

describe('a worker started before Redis', { timeout: 180_000 }, () => {
  it('says once that Redis is unreachable, then serves when it comes up, and stops on SIGTERM', async () => {
    redis = await OwnRedis.start();
    await redis.kill9();
    const host = `127.0.0.1:${redis.port}`;
    worker = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--prefix', 'sluice-test-before-redis'], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: redis.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    worker.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    const exited = new Promise<number | null>((r) => worker?.once('exit', (code) => r(code)));

    await waitFor(
      'line about Redis',
      () => said,
      (s) => s.includes('unreachable'),
    );
    await redis.restart();
    await waitFor(
      '"serving" line',
      () => said,
      (s) => s.includes('serving pipelines'),
    );
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);

    const lines = said.trim().split('\n');
    expect(said).not.toContain('Unhandled error event');
    expect(lines.filter((l) => l.includes('unreachable'))).toEqual([
      expect.stringMatching(new RegExp(`^\\[worker \\w+\\] Redis ${host} unreachable \\(connect ECONNREFUSED ${host}\\); retrying$`)),
    ]);
    expect(lines.filter((l) => l.includes('reachable again'))).toHaveLength(1);
  });
});
