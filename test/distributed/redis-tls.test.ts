/**
 * Redis over TLS (docs/operations.md, "Redis over TLS"): `rediss://` with REDIS_TLS_CA,
 * REDIS_TLS_CERT and REDIS_TLS_KEY, against a real redis-server that speaks TLS only and asks
 * for client certificates. Every connection of the run goes over it: the coordinator's, the
 * spawned worker's and their BullMQ queues (a plain connection would not get an answer).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '@sluice/engine';
import { writeYsbDocument } from '../faults/support/redis-drill-process.js';
import { TlsRedis } from './support/tls-redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'engine/src/cli/main.ts');

let redis: TlsRedis;
let dir: string;
const children: ChildProcess[] = [];

/** `sluice <args>` with exactly this Redis environment (none inherited), until it exits. */
async function sluice(args: string[], redisEnv: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const env = { ...process.env };
  for (const k of ['REDIS_URL', 'REDIS_TLS_CA', 'REDIS_TLS_CERT', 'REDIS_TLS_KEY']) delete env[k];
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...env, ...redisEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  return { code, out };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).sort();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  redis = await TlsRedis.start();
}, 60_000);

afterAll(async () => {
  await Promise.all(children.map((p) => stopProcess(p, 'SIGKILL')));
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Redis over TLS', { timeout: 120_000 }, () => {
  it('a BullMQ run with a worker over rediss:// writes what the embedded engine writes', async () => {
    const embeddedOut = join(dir, 'embedded.jsonl');
    const tlsOut = join(dir, 'tls.jsonl');
    const embedded = await sluice(['run', writeYsbDocument(mkdtempSync(join(dir, 'e-')), 3000, embeddedOut), '--quiet'], {});
    expect(embedded.code, embedded.out).toBe(0);
    const run = await sluice(
      ['run', writeYsbDocument(mkdtempSync(join(dir, 't-')), 3000, tlsOut), '--engine', 'bullmq', '--workers', '1', '--quiet'],
      redis.env,
    );
    expect(run.code, run.out).toBe(0);
    expect(lines(embeddedOut).length).toBeGreaterThan(0);
    expect(lines(tlsOut)).toEqual(lines(embeddedOut));
    // The run removed its keys: nothing but what Redis keeps for itself.
    const c = redis.client();
    try {
      expect(await c.keys('sluice-run-*')).toEqual([]);
    } finally {
      c.disconnect();
    }
  });

  it('a Redis certificate signed by another CA is refused at start: exit 1, naming REDIS_TLS_CA', async () => {
    const { code, out } = await sluice(['worker'], { ...redis.env, REDIS_TLS_CA: redis.files.otherCa });
    expect(code).toBe(1);
    expect(out).toContain(`sluice worker: Redis at rediss://127.0.0.1:${redis.port}: Redis's TLS certificate is not trusted (`);
    expect(out).toContain('set REDIS_TLS_CA to the CA file that signed it');
  });

  it('the server refuses to start on an untrusted certificate too: exit 2, one line naming REDIS_TLS_CA', async () => {
    const { code, out } = await sluice(['serve', '--port', '0'], {
      ...redis.env,
      REDIS_TLS_CA: redis.files.otherCa,
      SLUICE_DATA_DIR: join(dir, 'data'),
    });
    expect(code).toBe(2);
    expect(out).toContain(`sluice serve: Redis at rediss://127.0.0.1:${redis.port}: Redis's TLS certificate is not trusted (`);
  });

  it('without a client certificate, Redis refuses the handshake and the message names REDIS_TLS_CERT and REDIS_TLS_KEY', async () => {
    const { code, out } = await sluice(['worker'], { REDIS_URL: redis.url, REDIS_TLS_CA: redis.files.ca });
    expect(code).toBe(1);
    expect(out).toContain('Redis asks for a client certificate (tls-auth-clients): set REDIS_TLS_CERT and REDIS_TLS_KEY');
  });

  it('certificates with a redis:// URL are refused rather than silently unused', async () => {
    const { code, out } = await sluice(['worker'], { ...redis.env, REDIS_URL: `redis://127.0.0.1:${redis.port}` });
    expect(code).toBe(1);
    expect(out).toContain('REDIS_TLS_CA, REDIS_TLS_CERT, REDIS_TLS_KEY set, but REDIS_URL is redis://: use rediss:// for TLS');
  });

  it('the eviction-policy check runs over TLS too: an evicting Redis is refused', async () => {
    const c = redis.client();
    try {
      await c.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const { code, out } = await sluice(['worker'], redis.env);
      expect(code).toBe(1);
      expect(out).toContain(
        `Redis at rediss://127.0.0.1:${redis.port} has maxmemory-policy allkeys-lru; Sluice needs maxmemory-policy noeviction`,
      );
    } finally {
      await c.config('SET', 'maxmemory-policy', 'noeviction');
      c.disconnect();
    }
  });
});
