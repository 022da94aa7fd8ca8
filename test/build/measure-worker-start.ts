/**
 * Worker start-to-ready: from spawning `sluice worker` until its first heartbeat lands in
 * Redis (the `workers` hash, written once it subscribed and synced: it then takes jobs), from
 * the TypeScript sources through tsx and from the build (engine/dist/cli/main.js; run
 * `pnpm build:engine` first). Results: bench/results/worker-start.md.
 *
 *   node --import tsx test/build/measure-worker-start.ts [--runs N] [--mode tsx|build|both]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { stopProcess } from '@sluice/engine';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = `${ROOT}engine/dist/cli/main.js`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Mode = 'tsx' | 'build';

function command(mode: Mode): string[] {
  return mode === 'tsx'
    ? ['--max-semi-space-size=64', '--import', 'tsx', `${ROOT}engine/src/cli/main.ts`, 'worker', '--quiet']
    : ['--max-semi-space-size=64', BUILT, 'worker', '--quiet'];
}

async function once(redis: Redis, mode: Mode): Promise<number> {
  const prefix = `sluice-bench-ws-${randomUUID().slice(0, 8)}`;
  const started = performance.now();
  const child = spawn(process.execPath, command(mode), {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL, SLUICE_PREFIX: prefix },
    stdio: 'ignore',
  });
  try {
    // Polled, not waited on: the heartbeat is a plain HSET, nothing announces it.
    for (;;) {
      if ((await redis.hlen(`${prefix}:workers`)) > 0) return performance.now() - started;
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode} before its heartbeat`);
      if (performance.now() - started > 60_000) throw new Error('no heartbeat within 60 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await stopProcess(child, 'SIGTERM', 10_000);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `min ${s[0]!.toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${s[s.length - 1]!.toFixed(0)} ms (${s.length} runs)`;
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, mode: { type: 'string', default: 'both' } } });
const runs = Number(values.runs);
const modes: Mode[] = values.mode === 'both' ? ['tsx', 'build'] : [values.mode as Mode];
if (modes.includes('build') && !existsSync(BUILT)) throw new Error(`${BUILT} is missing: run pnpm build:engine first`);
const redis = new Redis(REDIS_URL);
try {
  for (const mode of modes) {
    const ms: number[] = [];
    // Alternating would mix the caches; one warm-up start per mode fills the OS file cache.
    await once(redis, mode);
    for (let i = 0; i < runs; i++) ms.push(await once(redis, mode));
    process.stdout.write(`${mode.padEnd(5)} ${summary(ms)}: ${ms.map((m) => m.toFixed(0)).join(', ')}\n`);
  }
} finally {
  redis.disconnect();
}
