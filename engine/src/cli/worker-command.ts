import { parseArgs } from 'node:util';
import { PLACEMENT_LABEL } from '@sluice/shared';
import { sweepDeadRunsAt, sweepWhenLeaseExpires } from '../runners/bullmq/prefix-janitor.js';
import { redisUrlFromEnv } from '../runners/bullmq/redis-client.js';
import { checkRedisRequirements, RedisConfigRefused } from '../runners/bullmq/redis-requirements.js';
import { runLeaseTtlMs } from '../runners/bullmq/run-lease.js';
import { WorkerPool } from '../runners/bullmq/worker-pool.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** How long a worker that was told to go may take to hand its work back before it just exits. */
const CLOSE_BOUND_MS = 15_000;

/**
 * `sluice worker`: serve deployed pipelines' queues until SIGTERM/SIGINT (or, when `sluice run`
 * spawned it, until that process goes), then finish in-flight jobs and exit. `--for-run`
 * (spawn-workers.ts, for `sluice run` only): the worker serves that one run, and once its
 * coordinator is gone it removes the run's keys (prefix-janitor.ts) before it exits.
 */
export async function workerCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      prefix: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      'for-run': { type: 'boolean' },
      labels: { type: 'string' },
    },
  });
  const labels = parseLabels(values.labels ?? process.env.SLUICE_WORKER_LABELS ?? '');
  if (typeof labels === 'string') {
    process.stderr.write(`sluice worker: ${labels}\n`);
    return 2;
  }
  const redisUrl = redisUrlFromEnv(process.env, DEFAULT_REDIS_URL)!;
  const prefix = values.prefix ?? process.env.SLUICE_PREFIX ?? 'sluice';
  const forRun = values['for-run'] === true;
  const log = values.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  let stopped: string | undefined;
  /** The run this worker was spawned for is gone: its keys are to be swept after the close. */
  let orphaned = false;
  let end!: (why: string) => void;
  const stop = new Promise<string>((resolve) => {
    end = (why: string) => {
      stopped ??= why;
      resolve(why);
    };
    process.once('SIGTERM', () => end('SIGTERM'));
    process.once('SIGINT', () => end('SIGINT'));
    // Spawned with an IPC channel (spawn-workers.ts): the channel closes when the parent dies,
    // even by SIGKILL. An orphaned worker would serve a run nobody coordinates any more.
    if (process.channel) {
      process.channel.unref();
      process.once('disconnect', () => {
        orphaned = forRun;
        end('the process that started this worker is gone');
      });
    }
  });
  const onRunGone = () => {
    orphaned = true;
    end("its run's coordinator lease expired");
  };
  // The pool's connections retry and say so, one line per outage: a worker may start before its Redis.
  const pool = new WorkerPool({ redisUrl, prefix, labels, ...(log ? { log } : {}), ...(forRun ? { onRunGone } : {}) });
  // Its settings are checked once it answers, before anything is served (docs/operations.md).
  for (;;) {
    try {
      await checkRedisRequirements(redisUrl, { warn: (line) => process.stderr.write(`sluice worker: ${line}\n`) });
      break;
    } catch (err) {
      if (err instanceof RedisConfigRefused || stopped !== undefined) {
        if (err instanceof RedisConfigRefused) process.stderr.write(`sluice worker: ${err.message}\n`);
        // Nothing was served yet; a Redis that is still down must not hold the exit up.
        await Promise.race([pool.close(), new Promise((r) => setTimeout(r, 2000).unref())]);
        process.exit(err instanceof RedisConfigRefused ? 1 : 0);
      }
      await Promise.race([stop, new Promise((r) => setTimeout(r, 500))]);
    }
  }
  await sweepDeadRunsAt(redisUrl, (line) => log?.(`[worker ${pool.id}] ${line}`));
  await pool.start();
  log?.(`[worker ${pool.id}] serving pipelines from ${redisUrl} (prefix ${prefix})`);
  const why = await stop;
  log?.(`[worker ${pool.id}] ${why}: finishing in-flight batches`);
  const closed = await Promise.race([
    pool.close().then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), CLOSE_BOUND_MS).unref()),
  ]);
  if (!closed) {
    // Redis gone, say: nothing more can be handed back. Open connections would keep us alive.
    process.stderr.write(
      `sluice worker: could not hand work back within ${CLOSE_BOUND_MS / 1000} s (Redis at ${redisUrl} unreachable?); exiting\n`,
    );
    process.exit(1);
  }
  if (orphaned) await sweepOwnRun(redisUrl, prefix, (line) => log?.(`[worker ${pool.id}] ${line}`));
  return 0;
}

/**
 * Once the run's lease has expired (its coordinator may still be refreshing it for a moment: a
 * TTL at most) and its other workers are done, its keys go. Bounded: a Redis that does not
 * answer, or a lease someone keeps refreshing, does not keep this process alive.
 */
async function sweepOwnRun(redisUrl: string, prefix: string, log: (line: string) => void): Promise<void> {
  const boundMs = 2 * runLeaseTtlMs() + 10_000;
  const outcome = await Promise.race([
    sweepWhenLeaseExpires(redisUrl, prefix, boundMs),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), boundMs + 5000).unref()),
  ]);
  if (outcome === undefined) {
    process.stderr.write(
      `sluice worker: could not remove the keys of ${prefix} (Redis at ${redisUrl} unreachable?); the next sluice run, worker or serve will\n`,
    );
    process.exit(1);
  }
  log('swept' in outcome ? `removed ${outcome.swept} keys of ${prefix}` : `kept the keys of ${prefix}: ${outcome.alive}`);
}

/** `--labels a,b` (or SLUICE_WORKER_LABELS): the labels, or what is wrong with them. */
export function parseLabels(text: string): string[] | string {
  const labels = text
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const bad = labels.find((l) => !PLACEMENT_LABEL.test(l));
  if (bad !== undefined) return `--labels: ${JSON.stringify(bad)} is not a valid label (1 to 64 letters, digits, _, . or -)`;
  return labels;
}
