import { parseArgs } from 'node:util';
import { formatDiagnostic, hasErrors } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { parseParamArgs } from '../compile/param-overrides.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { loadDocumentFile } from './load-document.js';
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

  const runner = new EmbeddedRunner();
  const handle = await runner.deploy(document, {
    baseDir: loaded.baseDir,
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(partitions !== undefined ? { partitions } : {}),
  });
  const onSignal = () => void handle.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = !opts.values.quiet && process.stderr.isTTY ? new ProgressLine(process.stderr, () => handle.metrics(), document) : undefined;
  progress?.start();
  const result = await handle.done;
  progress?.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
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
    },
  });
}

function positiveInt(raw: string | undefined, flag: string): number | undefined | string {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : `${flag} must be a positive integer, got ${JSON.stringify(raw)}`;
}
