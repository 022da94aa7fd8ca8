/**
 * Production processes run from the build, without tsx (docs/deploy.md): `pnpm build:engine`
 * emits engine/dist/cli/main.js; `sluice worker` from it registers its heartbeat in Redis,
 * `sluice serve` from it answers /healthz, and `sluice run --engine bullmq --workers 1` from it
 * spawns its worker from the build too and writes what the embedded engine writes.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '@sluice/engine';
import { childPids, writeYsbDocument } from '../faults/support/redis-drill-process.js';
import { waitUntil } from '../faults/support/wait-until.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILT = join(ROOT, 'engine/dist/cli/main.js');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `${TEST_KEY_ROOT}-build-${randomUUID().slice(0, 8)}`;

let redis: Redis;
let dir: string;
const children: ChildProcess[] = [];

/** `node engine/dist/cli/main.js <args>`: no tsx loader anywhere in the command. */
function built(
  args: string[],
  env: Record<string, string> = {},
): { proc: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [BUILT, ...args], {
    cwd: dir,
    env: { ...process.env, REDIS_URL, SLUICE_PREFIX: PREFIX, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let text = '';
  proc.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => text, exited };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
  dir = mkdtempSync(join(tmpdir(), 'sluice-build-'));
  await promisify(execFile)('pnpm', ['-s', 'build:engine'], { cwd: ROOT });
}, 120_000);

afterAll(async () => {
  await Promise.all(children.map((p) => stopProcess(p, 'SIGKILL')));
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

describe('the engine build', { timeout: 120_000 }, () => {
  it('sluice worker from the build registers its heartbeat, and removes it on SIGTERM', async () => {
    const worker = built(['worker']);
    await waitUntil(
      async () => (await redis.hlen(`${PREFIX}:workers`)) === 1,
      60_000,
      `a heartbeat under ${PREFIX}:workers (${worker.out()})`,
    );
    expect(worker.out()).toMatch(/\[worker \w+\] serving pipelines from redis:\/\/127\.0\.0\.1:6379/);
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await redis.hlen(`${PREFIX}:workers`)).toBe(0);
    expect(await redis.hlen(`${PREFIX}:worker-info`)).toBe(0);
  });

  it('sluice serve from the build answers /healthz and /readyz, and exits on SIGTERM', async () => {
    const server = built(['serve', '--port', '0'], { SLUICE_DATA_DIR: join(dir, 'data'), HOST: '127.0.0.1' });
    await waitUntil(() => /Sluice on http:\/\/\S+/.test(server.out()), 60_000, `the server listening (${server.out()})`);
    const url = /Sluice on (http:\/\/[^\s"]+)/.exec(server.out())![1]!;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('sluice run --engine bullmq from the build spawns its worker from the build and writes what the embedded engine writes', async () => {
    const embeddedOut = join(dir, 'embedded.jsonl');
    const bullmqOut = join(dir, 'bullmq.jsonl');
    const embedded = built(['run', writeYsbDocument(mkdtempSync(join(dir, 'e-')), 3000, embeddedOut), '--quiet']);
    expect(await embedded.exited, embedded.out()).toBe(0);
    const run = built([
      'run',
      writeYsbDocument(mkdtempSync(join(dir, 'b-')), 3000, bullmqOut),
      '--engine',
      'bullmq',
      '--workers',
      '1',
      '--quiet',
    ]);
    // The spawned worker is a child of the run: its command line is the build, not tsx.
    await waitUntil(
      () => childCommands(run.proc.pid!).some((c) => c.includes(`${BUILT} worker`)),
      60_000,
      `the run spawning its worker from the build (${run.out()})`,
    );
    expect(childCommands(run.proc.pid!).join('\n')).not.toContain('tsx');
    expect(await run.exited, run.out()).toBe(0);
    const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).sort();
    expect(lines(embeddedOut).length).toBeGreaterThan(0);
    expect(lines(bullmqOut)).toEqual(lines(embeddedOut));
  });
});

/** Command lines of `pid`'s children (Linux /proc). */
function childCommands(pid: number): string[] {
  const out: string[] = [];
  for (const child of childPids(pid)) {
    try {
      out.push(readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // it ended meanwhile
    }
  }
  return out;
}
