/** Local worker processes for `sluice run --engine bullmq --workers N` (and the tests that do the same). */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

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
  // process.execArgv carries tsx's loader when we run from source.
  return spawn(process.execPath, [...process.execArgv, MAIN, 'worker', '--quiet'], {
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
