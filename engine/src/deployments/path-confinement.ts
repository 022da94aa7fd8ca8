/**
 * A deployed pipeline reads and writes files only inside the folders the server allows (its
 * data folder's `files/`, the examples; docs/file-paths.md). Checked twice: on the document
 * (validate, deploy, preview: a diagnostic) and by the runtime's resolvePath when a node opens
 * its file (confinedPath: an error), both on the real path, symlinks resolved, so a link inside
 * the folder that points outside is refused. Node types name file fields `path` (source.file,
 * sink.file, enrich's `table.path`): every string under a key `path` in a config is checked.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Diagnostic, PipelineDocument } from '@sluice/shared';

export type PathRefusal = 'path-nul' | 'path-outside';

export class PathRefused extends Error {
  constructor(
    readonly code: PathRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'PathRefused';
  }
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The path with every symlink resolved; for a file that does not exist yet, the real path of its
 * nearest existing folder with the rest appended (what an open or mkdir would reach). A dangling
 * link is followed too: opening it for writing would create its target.
 */
export function realPathOf(path: string, hops = 0): string {
  const rest: string[] = [];
  let at = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(at), ...rest.reverse());
    } catch {
      const link = danglingLink(at);
      if (link !== undefined && hops < 40) return realPathOf(join(resolve(dirname(at), link), ...rest.reverse()), hops + 1);
      const up = dirname(at);
      if (up === at) return resolve(path);
      rest.push(basename(at));
      at = up;
    }
  }
}

function danglingLink(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The absolute path a node opens for `path` (relative ones resolve against baseDir). Refused
 * with PathRefused when it holds a NUL byte or, given `roots`, when its real path is outside
 * every root. Without roots (the CLI runs the user's own document) only the NUL check applies.
 */
export function confinedPath(path: string, baseDir: string, roots?: readonly string[]): string {
  if (path.includes('\0')) throw new PathRefused('path-nul', `${JSON.stringify(path)} holds a NUL byte (\\u0000): no file name can`);
  const absolute = isAbsolute(path) ? path : resolve(baseDir, path);
  if (!roots) return absolute;
  const real = realPathOf(absolute);
  if (roots.some((r) => isInside(realPathOf(r), real))) return absolute;
  const via = real === resolve(absolute) ? '' : ` (it leads to ${real} through a symbolic link)`;
  throw new PathRefused(
    'path-outside',
    `${JSON.stringify(path)} is outside the folders this server reads and writes (its data folder's files and the examples)${via}; use a path relative to the pipeline's folder`,
  );
}

/** One diagnostic per config path that holds a NUL byte or resolves outside every allowed root. */
export function confinePaths(document: PipelineDocument, baseDir: string, roots: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of document.nodes) {
    walk(node.config, 'config', (path, value) => {
      try {
        confinedPath(value, baseDir, roots);
      } catch (err) {
        if (!(err instanceof PathRefused)) throw err;
        out.push({ severity: 'error', code: err.code, nodeId: node.id, path, message: err.message });
      }
    });
  }
  return out;
}

/** Every string under a config key named `path`, with its config path (`config.table.path`). */
export function walk(value: unknown, at: string, onPath: (path: string, value: string) => void): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], `${at}[${i}]`, onPath);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'path' && typeof v === 'string') onPath(`${at}.${k}`, v);
      else walk(v, `${at}.${k}`, onPath);
    }
  }
}
