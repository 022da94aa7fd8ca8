/**
 * `pnpm build:engine`: the CLI (serve, worker, run, ...) as one JavaScript file,
 * engine/dist/cli/main.js, so production processes start with plain `node`, without tsx
 * compiling TypeScript at every start (docs/deploy.md).
 *
 * The workspace packages (@sluice/shared, @sluice/nodes) export TypeScript sources, so they are
 * bundled in. Every npm package stays external, imported by a path relative to the output file:
 * under pnpm a package is only visible from the workspace package that depends on it, and the
 * bundle mixes code from several. The build therefore runs inside the installed tree it serves
 * (as the Dockerfile does). The output sits at the same depth as engine/src/cli/main.ts, so the
 * `new URL('../../..', import.meta.url)` lookups (repository root, engine/package.json) still hold.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';
import { constTopLevel } from '../engine/src/build/top-level-const.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTFILE = `${ROOT}engine/dist/cli/main.js`;
/**
 * The embedded runner's partition threads start from their own bundle beside main.js
 * (threads/thread-entry.ts looks for it there), at the same depth, so the relative npm paths hold.
 */
const THREAD_ENTRY = `${ROOT}engine/src/runners/embedded/threads/partition-thread.ts`;
/** A stream debugger session's worker (debugger/debug-worker.ts), beside it for the same reason. */
const DEBUG_ENTRY = `${ROOT}engine/src/debugger/debug-worker.ts`;

const npmPackagesExternal: Plugin = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@sluice/') || args.pluginData === 'resolving') return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      // Resolve it from the importing file (its own package's node_modules), then point there.
      const found = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      if (found.errors.length > 0) return { errors: found.errors };
      const path = relative(dirname(OUTFILE), found.path).split('\\').join('/');
      return { path: path.startsWith('.') ? path : `./${path}`, external: true };
    });
  },
};

const started = Date.now();
await build({
  entryPoints: { main: `${ROOT}engine/src/cli/main.ts`, 'partition-thread': THREAD_ENTRY, 'debug-worker': DEBUG_ENTRY },
  outdir: dirname(OUTFILE),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Names in stack traces and error messages stay readable.
  minify: false,
  logLevel: 'warning',
  plugins: [npmPackagesExternal],
});
// esbuild made every top-level const a var: the never-assigned ones are const again (build/top-level-const.ts).
let converted = 0;
for (const name of ['main', 'partition-thread', 'debug-worker']) {
  const file = `${dirname(OUTFILE)}/${name}.js`;
  const out = constTopLevel(readFileSync(file, 'utf8'), ts);
  writeFileSync(file, out.code);
  converted += out.converted;
}
process.stdout.write(
  `engine built: ${relative(ROOT, OUTFILE)} (and partition-thread.js, debug-worker.js) in ${Date.now() - started} ms, ${converted} top-level vars const again\n`,
);
