/**
 * `sluice check <graph.json> [--node ID ...]`: the connection check of every connector node (or
 * the ones named), headless, for CI before a deploy. One line per node: `✓ id: what it found` or
 * `✗ id: what is wrong`. Exit 0 all reached, 1 one did not, 2 invalid document or usage.
 */
import { parseArgs } from 'node:util';
import { formatDiagnostic, hasErrors } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { checkNode, isCheckable } from '../connectors/check-node.js';
import { loadDocumentFile } from './load-document.js';

export async function checkCommand(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`sluice check: ${(err as Error).message}\n`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) {
    process.stderr.write('usage: sluice check <graph.json> [--node ID ...]\n');
    return 2;
  }
  const loaded = await loadDocumentFile(file);
  if ('error' in loaded) {
    process.stderr.write(`${loaded.error}\n`);
    return 2;
  }
  // The whole document first: a check of a graph that cannot deploy would say too little.
  const { document, diagnostics } = compilePipeline(loaded.text);
  if (!document || hasErrors(diagnostics)) {
    for (const d of diagnostics) if (d.severity === 'error') process.stdout.write(`${formatDiagnostic(d)}\n`);
    process.stderr.write(`${file}: invalid; fix it before checking its connections\n`);
    return 2;
  }
  const raw = JSON.parse(loaded.text) as { nodes: { id: string; type: string; config?: Record<string, unknown> }[] };
  const wanted = parsed.values.node ?? [];
  const unknown = wanted.filter((id) => !raw.nodes.some((n) => n.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`${file}: no node ${unknown.map((id) => `"${id}"`).join(', ')}\n`);
    return 2;
  }
  const nodes = raw.nodes.filter((n) => (wanted.length > 0 ? wanted.includes(n.id) : isCheckable(n.type)));
  if (nodes.length === 0) {
    process.stdout.write(`${file}: no connector node to check\n`);
    return 0;
  }
  let failed = 0;
  for (const n of nodes) {
    // The document's own config (its ${env:...} references unresolved), as a deploy reads it.
    const r = await checkNode(
      { id: n.id, type: n.type, config: n.config ?? {} },
      { ...(document.params ? { params: document.params } : {}), baseDir: loaded.baseDir },
    );
    if (r.kind === 'not-checkable') {
      process.stdout.write(`- ${n.id}: a ${n.type} has no connection to check\n`);
      continue;
    }
    if (r.kind === 'invalid') {
      failed++;
      for (const d of r.diagnostics) process.stdout.write(`✗ ${formatDiagnostic(d)}\n`);
      continue;
    }
    if (!r.ok) failed++;
    process.stdout.write(`${r.ok ? '✓' : '✗'} ${n.id}: ${r.message}\n`);
  }
  if (failed > 0) process.stderr.write(`${file}: ${failed} of ${nodes.length} connection${nodes.length === 1 ? '' : 's'} failed\n`);
  return failed > 0 ? 1 : 0;
}

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: true, options: { node: { type: 'string', multiple: true } } });
}
