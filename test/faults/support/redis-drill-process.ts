/**
 * The Redis drills' processes: `sluice run` and `sluice worker` as a user starts them (real
 * processes, real signals), a YSB document on disk, child pids from /proc, and waits that poll
 * a condition until a deadline (never a fixed sleep).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'engine/src/cli/main.ts');

export interface CliProcess {
  proc: ChildProcess;
  /** stdout and stderr so far. */
  out(): string;
  /** Exit code (or 128 + signal number), once it exits. */
  exited: Promise<number>;
}

/** `sluice <args>` with REDIS_URL; the caller kills it in a finally (killQuietly). */
export function sluice(args: string[], redisUrl: string): CliProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number>((r) => proc.once('exit', (code, signal) => r(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))));
  return { proc, out: () => text, exited };
}

/** The YSB example with `count` events writing to `sinkPath`, as a file `sluice run` can read. */
export function writeYsbDocument(dir: string, count: number, sinkPath: string): string {
  const doc = JSON.parse(readFileSync(join(ROOT, 'examples/ysb/ysb.json'), 'utf8'));
  for (const n of doc.nodes) {
    if (n.id === 'ad_events') n.config.count = count;
    if (n.id === 'counts') n.config.path = sinkPath;
    if (n.id === 'campaign') n.config.table.path = join(ROOT, 'examples/ysb/campaigns.jsonl');
  }
  const file = join(dir, 'ysb.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** Pids whose parent is `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of stat is the parent pid; the command name (field 2) may hold spaces, hence the ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/**
 * `sluice run`'s workers among its children: a child may also be tsx's esbuild service (a cold
 * compile cache), which a drill must not take for a worker to stop or kill.
 */
export function workerPids(pid: number): number[] {
  return childPids(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').includes('worker');
    } catch {
      return false;
    }
  });
}

export function alive(pid: number): boolean {
  try {
    // A zombie (exited, not yet reaped) counts as gone.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Poll `cond` until it holds; fail naming `what` after `timeoutMs`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The drills' size: CI by default, the issue's with SLUICE_FAULTS_FULL=1 (pnpm test:faults --full). */
export { FULL } from './ysb-drill.js';

/**
 * `sluice run <args> --engine bullmq --workers n` and, once spawned, its worker pids.
 * `onCleanup` gets the function that kills them all (register it before anything can fail).
 */
export async function runWithWorkers(
  args: string[],
  n: number,
  redisUrl: string,
  onCleanup: (f: () => void) => void,
): Promise<{ run: CliProcess; workers: number[] }> {
  const run = sluice(['run', ...args, '--engine', 'bullmq', '--workers', String(n)], redisUrl);
  let workers: number[] = [];
  onCleanup(() => {
    for (const pid of [...workers, run.proc.pid]) killQuietly(pid);
  });
  await until(`sluice run spawned its ${n} workers`, () => (workers = workerPids(run.proc.pid!)).length >= n, 60_000);
  return { run, workers };
}

/** Until Redis holds the run's committed counters: keyed tasks are at work. */
export async function untilTasksCommit(client: Redis): Promise<void> {
  try {
    await until('the keyed tasks commit', async () => (await client.keys('*:counters:*')).length > 0, 120_000);
  } finally {
    client.disconnect();
  }
}
