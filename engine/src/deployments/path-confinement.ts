/**
 * A deployed pipeline reads and writes files only inside the folders the server allows (its
 * data folder's files, the examples). Node types name file fields `path` (source.file,
 * sink.file, enrich's `table.path`): every string under a key `path` in a parsed config is
 * resolved against the pipeline's baseDir, as the runtime's resolvePath does, and checked.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Diagnostic, PipelineDocument } from '@sluice/shared';

export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** One diagnostic per config path that resolves outside every allowed root. */
export function confinePaths(document: PipelineDocument, baseDir: string, roots: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of document.nodes) {
    walk(node.config, 'config', (path, value) => {
      const resolved = isAbsolute(value) ? value : resolve(baseDir, value);
      if (roots.some((r) => isInside(r, resolved))) return;
      out.push({
        severity: 'error',
        code: 'path-outside',
        nodeId: node.id,
        path,
        message: `${JSON.stringify(value)} is outside the folders this server reads and writes (its data folder's files and the examples); use a path relative to the pipeline's folder`,
      });
    });
  }
  return out;
}

function walk(value: unknown, at: string, onPath: (path: string, value: string) => void): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], `${at}[${i}]`, onPath);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'path' && typeof v === 'string') onPath(`${at}.${k}`, v);
      else walk(v, `${at}.${k}`, onPath);
    }
  }
}
