import { parseArgs } from 'node:util';
import { formatDiagnostic, hasErrors } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { parseParamArgs } from '../compile/param-overrides.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { randomUUID } from 'node:crypto';
import type { Runner } from '../runners/runner.js';
import { BullmqRunner } from '../runners/bullmq/bullmq-runner.js';
import { loadDocumentFile } from './load-document.js';
import { spawnWorkers } from './spawn-workers.js';
import { DEFAULT_REDIS_URL } from './worker-command.js';
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
    process.stderr.write(`sluice run: ${typeof workers === 'string' ? workers : `--engine must be embedded or bullmq, got ${JSON.stringify(engine)}`}\n`);
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
  const onSignal = () => void handle.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = !opts.values.quiet && process.stderr.isTTY ? new ProgressLine(process.stderr, () => handle.metrics(), document) : undefined;
  progress?.start();
  const result = await handle.done;
  progress?.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await cleanup();
  process.stdout.write(formatSummary(document, result.metrics));
  if (result.status === 'failed') {
    process.stderr.write(`run failed: ${result.error ?? 'unknown error'}\n`);
    return 1;
  }
  return 0;
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

/**
 * The embedded runner, or BullMQ with N local worker processes under a fresh key prefix (so a run
 * never touches another's queues); the prefix's keys are removed at the end.
 */
async function startRunner(engine: 'embedded' | 'bullmq', workers: number): Promise<{ runner: Runner; cleanup: () => Promise<void> }> {
  if (engine === 'embedded') {
    const runner = new EmbeddedRunner();
    return { runner, cleanup: () => runner.close() };
  }
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const prefix = `sluice-run-${randomUUID().slice(0, 8)}`;
  const runner = new BullmqRunner({ redisUrl, prefix });
  if (!(await runner.ready())) throw new Error(`Redis does not answer at ${redisUrl} (set REDIS_URL)`);
  const local = spawnWorkers(workers, { redisUrl, prefix });
  return {
    runner,
    cleanup: async () => {
      await local.stop();
      await runner.close();
    },
  };
}

function positiveInt(raw: string | undefined, flag: string): number | undefined | string {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : `${flag} must be a positive integer, got ${JSON.stringify(raw)}`;
}
