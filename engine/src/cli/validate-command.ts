import { parseArgs } from 'node:util';
import { formatDiagnostic, hasErrors } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { loadDocumentFile } from './load-document.js';

export async function validateCommand(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`sluice validate: ${(err as Error).message}\n`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) {
    process.stderr.write('usage: sluice validate <graph.json>\n');
    return 2;
  }
  const loaded = await loadDocumentFile(file);
  if ('error' in loaded) {
    process.stderr.write(`${loaded.error}\n`);
    return 2;
  }
  const { diagnostics } = compilePipeline(loaded.text);
  for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
  if (hasErrors(diagnostics)) {
    const n = diagnostics.filter((d) => d.severity === 'error').length;
    process.stderr.write(`${file}: invalid (${n} error${n === 1 ? '' : 's'})\n`);
    return 2;
  }
  process.stdout.write(`${file}: valid\n`);
  return 0;
}

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: true, options: {} });
}
