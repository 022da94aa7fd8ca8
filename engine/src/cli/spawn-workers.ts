/** Local worker processes for `sluice run --engine bullmq --workers N` (and the tests that do the same). */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Running from the build (engine/dist/cli/main.js, scripts/build-engine.ts), this module is part
 * of that file: workers start from it with plain node. From the sources, through tsx's loader.
 */
const FROM_BUILD = !import.meta.url.endsWith('.ts');
const MAIN = fileURLToPath(new URL(FROM_BUILD ? './main.js' : './main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The node arguments that start `sluice <args>` the way this process was started. */
export function sluiceCommand(args: string[]): string[] {
  return ['--max-semi-space-size=64', ...(FROM_BUILD ? [] : ['--import', 'tsx']), MAIN, ...args];
}

/**
 * How long a worker has to finish its in-flight batches after SIGTERM before it gets SIGKILL. A
 * stopped (SIGSTOP) or hung worker does not handle SIGTERM at all, and must not hold the run up.
 */
export const WORKER_STOP_GRACE_MS = 10_000;

export interface LocalWorkers {
  processes: ChildProcess[];
  /** SIGTERM each (graceful: in-flight jobs finish), SIGKILL what has not exited after the grace period. */
  stop(graceMs?: number): Promise<void>;
}

export interface WorkerEnv {
  redisUrl: string;
  prefix: string;
  /**
   * The workers serve this one run only (`sluice run`): once it is gone they remove its keys
   * (`sluice worker --for-run`). Never for a server's prefix, whose deployments a restart resumes.
   */
  forRun?: boolean;
  /** `sluice worker --labels` (placement, docs/source-partitions.md). */
  labels?: readonly string[];
}

export function spawnWorkers(n: number, env: WorkerEnv, stdio: 'inherit' | 'ignore' = 'ignore'): LocalWorkers {
  const processes = Array.from({ length: n }, () => spawnWorker(env, stdio));
  return {
    processes,
    stop: async (graceMs = WORKER_STOP_GRACE_MS) => {
      await Promise.all(processes.map((p) => stopProcess(p, 'SIGTERM', graceMs)));
    },
  };
}

export function spawnWorker(env: WorkerEnv, stdio: 'inherit' | 'ignore' = 'ignore'): ChildProcess {
  // From the sources, tsx's loader is resolved from the repository root. The IPC channel is how
  // the worker learns that this process died (worker-command.ts): it then exits.
  return spawn(process.execPath, sluiceCommand(['worker', '--quiet', ...(env.forRun ? ['--for-run'] : [])]), {
    cwd: ROOT,
    env: {
      ...process.env,
      REDIS_URL: env.redisUrl,
      SLUICE_PREFIX: env.prefix,
      ...(env.labels && env.labels.length > 0 ? { SLUICE_WORKER_LABELS: env.labels.join(',') } : {}),
    },
    stdio: ['ignore', stdio, stdio, 'ipc'],
  });
}

/** Send `signal`; with `graceMs`, SIGKILL the process if it has not exited by then. */
export function stopProcess(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs?: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = graceMs === undefined ? undefined : setTimeout(() => p.kill('SIGKILL'), graceMs);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill(signal);
  });
}
