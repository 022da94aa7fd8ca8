/** Local worker processes for `sluice run --engine bullmq --workers N` (and the tests that do the same). */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface LocalWorkers {
  processes: ChildProcess[];
  /** SIGTERM each (graceful: in-flight jobs finish) and wait for them to exit. */
  stop(): Promise<void>;
}

export function spawnWorkers(n: number, env: { redisUrl: string; prefix: string }, stdio: 'inherit' | 'ignore' = 'ignore'): LocalWorkers {
  const processes = Array.from({ length: n }, () => spawnWorker(env, stdio));
  return {
    processes,
    stop: async () => {
      await Promise.all(processes.map((p) => stopProcess(p)));
    },
  };
}

export function spawnWorker(env: { redisUrl: string; prefix: string }, stdio: 'inherit' | 'ignore' = 'ignore'): ChildProcess {
  // We run from TypeScript sources: tsx's loader, resolved from the repository root.
  return spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', MAIN, 'worker', '--quiet'], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: env.redisUrl, SLUICE_PREFIX: env.prefix },
    stdio: ['ignore', stdio, stdio],
  });
}

export function stopProcess(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill(signal);
  });
}
