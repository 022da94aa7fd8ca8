/**
 * What `sluice test <graph.json | folder>` runs: a document and its `<name>.tests/` folder, or
 * every document under a folder that has one. A tests folder without its document is an error
 * (a renamed graph would otherwise lose its tests silently).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { MAX_DOCUMENT_DEPTH, parseBoundedJson } from '@sluice/shared';
import { testsFolderOf } from './case-files.js';

/** How deep and how wide a folder walk goes before it stops with an error. */
const MAX_WALK_DEPTH = 8;
const MAX_WALK_ENTRIES = 20_000;

export interface SuiteTarget {
  /** As printed: relative to the current folder. */
  label: string;
  graphPath: string;
  testsDir: string;
  /** The parsed document, or why it could not be read. */
  document?: unknown;
  error?: string;
}

async function exists(path: string, dir: boolean): Promise<boolean> {
  try {
    const s = await stat(path);
    return dir ? s.isDirectory() : s.isFile();
  } catch {
    return false;
  }
}

/** Relative to the current folder when under it: what reports print (and read: the same files). */
const shown = (path: string) => {
  const r = relative(process.cwd(), path);
  return r === '' ? '.' : r.startsWith('..') ? path : r;
};

async function load(graphPath: string): Promise<SuiteTarget> {
  const label = shown(graphPath);
  const t: SuiteTarget = { label, graphPath, testsDir: shown(testsFolderOf(graphPath)) };
  let text: string;
  try {
    text = await readFile(graphPath, 'utf8');
  } catch (err) {
    t.error = `${label}: cannot read (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message})`;
    return t;
  }
  const r = parseBoundedJson(text, MAX_DOCUMENT_DEPTH, label);
  if (r.ok) t.document = r.value;
  else t.error = r.message;
  return t;
}

/** The targets for one command-line argument. */
export async function findSuites(arg: string): Promise<SuiteTarget[]> {
  const abs = resolve(arg);
  if (await exists(abs, false)) return [await load(abs)];
  if (!(await exists(abs, true)))
    return [{ label: arg, graphPath: abs, testsDir: testsFolderOf(abs), error: `${arg}: no such file or folder` }];
  if (abs.endsWith('.tests')) {
    // `sluice test flows/pricing.tests`: the document beside it.
    const graph = join(dirname(abs), `${basename(abs, '.tests')}.json`);
    return [await load(graph)];
  }
  const out: SuiteTarget[] = [];
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    seen += entries.length;
    if (seen > MAX_WALK_ENTRIES) throw new Error(`${arg}: more than ${MAX_WALK_ENTRIES} files under it; name a smaller folder`);
    const names = new Set(entries.map((e) => e.name));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = join(dir, e.name);
      if (e.isDirectory() && e.name.endsWith('.tests')) {
        const graph = `${e.name.slice(0, -'.tests'.length)}.json`;
        if (!names.has(graph))
          out.push({
            label: shown(path),
            graphPath: join(dir, graph),
            testsDir: shown(path),
            error: `${shown(path)}: no document ${graph} beside this tests folder`,
          });
        else out.push(await load(join(dir, graph)));
      } else if (e.isDirectory() && depth < MAX_WALK_DEPTH) await walk(path, depth + 1);
    }
  };
  await walk(abs, 0);
  return out.sort((a, b) => a.label.localeCompare(b.label));
}
