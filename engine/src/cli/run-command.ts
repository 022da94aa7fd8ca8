import { parseArgs } from 'node:util';
import { formatDiagnostic, hasErrors } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { parseParamArgs } from '../compile/param-overrides.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { randomUUID } from 'node:crypto';
import type { RunHandle, Runner } from '../runners/runner.js';
import { BullmqRunner } from '../runners/bullmq/bullmq-runner.js';
import { RedisKeys } from '../runners/bullmq/keys.js';
import { sweepDeadRunsAt } from '../runners/bullmq/prefix-janitor.js';
import { redisUrlFromEnv } from '../runners/bullmq/redis-client.js';
import { checkRedisRequirements } from '../runners/bullmq/redis-requirements.js';
import { RUN_PREFIX, RunLease } from '../runners/bullmq/run-lease.js';
import { loadDocumentFile } from './load-document.js';
import { spawnWorkers } from './spawn-workers.js';
import { DEFAULT_REDIS_URL } from './worker-command.js';
import { formatErrorReport } from './error-report.js';
import { formatSummary, ProgressLine } from './progress.js';

export async function runCommand(args: string[]): Promise<number> {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(args);
  } catch (err) {
    process.stderr.write(`sluice run: ${(err as Error).message}\n`);
    return 2;
  }
  const file = opts.positionals[0];
  if (!file || opts.positionals.length > 1) {
    process.stderr.write('usage: sluice run <graph.json> [--param name=value ...]\n');
    return 2;
  }
  const batchSize = positiveInt(opts.values['batch-size'], '--batch-size');
  const partitions = positiveInt(opts.values.partitions, '--partitions');
  if (typeof batchSize === 'string' || typeof partitions === 'string') {
    process.stderr.write(`sluice run: ${typeof batchSize === 'string' ? batchSize : partitions}\n`);
    return 2;
  }
  const loaded = await loadDocumentFile(file);
  if ('error' in loaded) {
    process.stderr.write(`${loaded.error}\n`);
    return 2;
  }
  const paramArgs = parseParamArgs(opts.values.param ?? []);
  const { document, diagnostics } = compilePipeline(loaded.text, paramArgs.values);
  const all = [...paramArgs.diagnostics, ...diagnostics];
  for (const d of all) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!document || hasErrors(all)) return 2;

  const engine = opts.values.engine ?? 'embedded';
  const workers = positiveInt(opts.values.workers, '--workers');
  if ((engine !== 'embedded' && engine !== 'bullmq') || typeof workers === 'string') {
    process.stderr.write(
      `sluice run: ${typeof workers === 'string' ? workers : `--engine must be embedded or bullmq, got ${JSON.stringify(engine)}`}\n`,
    );
    return 2;
  }
  // The embedded engine runs in this process: --workers would be silently ignored.
  if (engine === 'embedded' && workers !== undefined) {
    process.stderr.write(
      'sluice run: --workers needs --engine bullmq (the embedded engine runs in this process; with bullmq the default is 2 local workers)\n',
    );
    return 2;
  }
  let started: Awaited<ReturnType<typeof startRunner>>;
  try {
    started = await startRunner(engine, workers ?? 2);
  } catch (err) {
    process.stderr.write(`run failed: ${(err as Error).message}\n`);
    return 1;
  }
  const { runner, cleanup } = started;
  let handle: Awaited<ReturnType<Runner['deploy']>>;
  try {
    handle = await runner.deploy(document, {
      baseDir: loaded.baseDir,
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(partitions !== undefined ? { partitions } : {}),
    });
  } catch (err) {
    // An operator could not start (a file that cannot be opened, a table that cannot be read).
    await cleanup();
    process.stderr.write(`run failed: ${(err as Error).message}\n`);
    return 1;
  }
  const progress =
    !opts.values.quiet && process.stderr.isTTY ? new ProgressLine(process.stderr, () => handle.metrics(), document) : undefined;
  progress?.start();
  const signals = stopOnSignal(handle, started.unreachable);
  const ended = await Promise.race([handle.done, signals.forced]);
  progress?.stop();
  signals.dispose();
  if (typeof ended === 'string') {
    // The run cannot be stopped in order (Redis is gone): end its workers and quit.
    process.stderr.write(
      `run stopped without finishing: ${ended}${started.prefix ? `; its keys may remain in Redis under the prefix ${started.prefix}` : ''}\n`,
    );
    await started.kill();
    process.exit(1);
  }
  await cleanup();
  process.stdout.write(formatSummary(document, ended.metrics));
  process.stdout.write(formatErrorReport(document, ended.metrics, ended.errorSamples));
  if (ended.status === 'failed') {
    process.stderr.write(`run failed: ${ended.error ?? 'unknown error'}\n`);
    return 1;
  }
  if (ended.status !== 'completed') {
    process.stderr.write(`run ${ended.status} by ${signals.received() ?? 'a signal'} before it completed\n`);
    return 1;
  }
  return 0;
}

/** How long a stop asked for by SIGTERM/SIGINT may take before the run is abandoned. */
const STOP_BOUND_MS = 30_000;

/**
 * SIGTERM/SIGINT stop the run in order (sources stop, queued batches drain, keys go). That
 * waits for Redis, so it is bounded: when Redis does not answer, after 30 s, or on a second
 * signal, `forced` settles with the reason and the run is abandoned.
 */
function stopOnSignal(handle: RunHandle, unreachable: () => Promise<string | undefined>) {
  let received: NodeJS.Signals | undefined;
  let timer: NodeJS.Timeout | undefined;
  let force!: (why: string) => void;
  const forced = new Promise<string>((r) => (force = r));
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return force(`${signal} again`);
    received = signal;
    process.stderr.write(`${signal}: stopping the run (again to quit at once)\n`);
    void handle.stop();
    timer = setTimeout(() => force(`the run did not stop within ${STOP_BOUND_MS / 1000} s`), STOP_BOUND_MS);
    void (async () => {
      for (let why = await unreachable(); received && timer; why = await unreachable()) {
        if (why) return force(why);
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    forced,
    received: () => received,
    dispose: () => {
      clearTimeout(timer);
      timer = undefined;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      param: { type: 'string', multiple: true, short: 'p' },
      'batch-size': { type: 'string' },
      partitions: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      engine: { type: 'string' },
      workers: { type: 'string' },
    },
  });
}

interface StartedRunner {
  runner: Runner;
  cleanup: () => Promise<void>;
  /** Why the runner's backing service is unreachable, or undefined while it answers. */
  unreachable: () => Promise<string | undefined>;
  /** Abandon the run: SIGKILL local workers at once. */
  kill: () => Promise<void>;
  prefix?: string;
}

/**
 * The embedded runner, or BullMQ with N local worker processes under a fresh key prefix (so a run
 * never touches another's queues); the prefix's keys are removed at the end. BullMQ refuses a
 * Redis that evicts keys (redis-requirements.ts).
 */
async function startRunner(engine: 'embedded' | 'bullmq', workers: number): Promise<StartedRunner> {
  if (engine === 'embedded') {
    const runner = new EmbeddedRunner();
    return { runner, cleanup: () => runner.close(), unreachable: async () => undefined, kill: async () => undefined };
  }
  const redisUrl = redisUrlFromEnv(process.env, DEFAULT_REDIS_URL)!;
  await checkRedisRequirements(redisUrl, { warn: (line) => process.stderr.write(`sluice run: ${line}\n`) });
  // What runs killed earlier left (docs/operations.md, "What a run leaves in Redis").
  await sweepDeadRunsAt(redisUrl, (line) => process.stderr.write(`sluice run: ${line}\n`));
  const prefix = `${RUN_PREFIX}${randomUUID().slice(0, 8)}`;
  // The lease comes before any key of the prefix and goes after the last: nobody resumes this run.
  const lease = await RunLease.acquire(redisUrl, new RedisKeys(prefix), { onLost: (why) => process.stderr.write(`sluice run: ${why}\n`) });
  const runner = new BullmqRunner({ redisUrl, prefix, ephemeral: true });
  if (!(await runner.ready())) {
    await runner.close();
    lease.abandon();
    throw new Error(`Redis does not answer at ${redisUrl} (set REDIS_URL)`);
  }
  const local = spawnWorkers(workers, { redisUrl, prefix, forRun: true });
  return {
    runner,
    prefix,
    cleanup: async () => {
      await local.stop();
      await runner.close();
      await lease.release();
    },
    unreachable: async () => ((await runner.ready()) ? undefined : `Redis at ${redisUrl} does not answer`),
    kill: async () => {
      await local.stop(0);
      lease.abandon();
    },
  };
}

function positiveInt(raw: string | undefined, flag: string): number | undefined | string {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : `${flag} must be a positive integer, got ${JSON.stringify(raw)}`;
}
