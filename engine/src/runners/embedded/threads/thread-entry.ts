/**
 * The module a partition thread starts from. In engine/dist it is the bundled file beside
 * main.js (scripts/build-engine.ts builds it). When the engine runs as TypeScript (tsx, vitest),
 * a worker does not inherit the loader of the thread that starts it, and compiling the engine's
 * modules again in every thread takes seconds: the entry is bundled once per process, in memory,
 * with esbuild (as the build does), and every thread loads that one module.
 */
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constTopLevel } from '../../../build/top-level-const.js';

const devBundles = new Map<string, Promise<URL>>();

/** Worker modules, by the name of their bundle beside main.js, and their source from this folder. */
const WORKERS = {
  'partition-thread': './partition-thread.ts',
  // A stream debugger session's run (docs/debugger.md).
  'debug-worker': '../../../debugger/debug-worker.ts',
} as const;

/**
 * When the engine runs as TypeScript, tsx's ESM API, which a thread registers before loading
 * plugins (a plugin may be TypeScript too, as examples/custom-node is); undefined in engine/dist.
 */
export function tsxApiForThreads(): string | undefined {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return undefined;
  const pkgFile = createRequire(here).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

export function threadEntry(): Promise<URL> {
  return workerEntry('partition-thread');
}

export function workerEntry(name: keyof typeof WORKERS): Promise<URL> {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return Promise.resolve(new URL(`./${name}.js`, here));
  let found = devBundles.get(name);
  if (!found) devBundles.set(name, (found = bundle(fileURLToPath(new URL(WORKERS[name], here)))));
  return found;
}

async function bundle(entry: string): Promise<URL> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        // npm packages stay outside, imported by absolute URL (a data: module has no folder to resolve from).
        name: 'npm-packages-by-url',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.path.startsWith('@sluice/') || args.pluginData === 'resolving') return undefined;
            if (isBuiltin(args.path)) return { path: args.path, external: true };
            const found = await b.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              importer: args.importer,
              pluginData: 'resolving',
            });
            if (found.errors.length > 0) return { errors: found.errors };
            return { path: pathToFileURL(found.path).href, external: true };
          });
        },
      },
    ],
  });
  // As the build does (scripts/build-engine.ts): esbuild's top-level vars const again where never assigned.
  const ts = (await import('typescript')).default;
  const { code } = constTopLevel(out.outputFiles[0]!.text, ts);
  return new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
