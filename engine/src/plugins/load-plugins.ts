/**
 * Node types from separate packages (plugins, nodes/src/sdk/plugin.ts), loaded once at start
 * from `--plugin <folder or package>` and SLUICE_PLUGINS (comma-separated), before any document
 * is validated. A folder is a package folder: its package.json `exports` (a string) or `main`
 * names the entry; a package name is imported as Node resolves it from the engine. Workers that
 * this process spawns inherit SLUICE_PLUGINS, with folders made absolute, so they load the same.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pluginHost } from '@sluice/nodes/operators';
import type { NodeTypePlugin, SluicePlugin } from '@sluice/nodes/sdk';

export const PLUGINS_ENV = 'SLUICE_PLUGINS';

/** `--plugin X` and `--plugin=X` taken out of a command line: the plugins and the rest. */
export function pluginArgs(argv: readonly string[]): { plugins: string[]; rest: string[] } {
  const plugins: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--plugin') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error('--plugin needs a folder or package name');
      plugins.push(next);
      i++;
    } else if (a.startsWith('--plugin=')) plugins.push(a.slice('--plugin='.length));
    else rest.push(a);
  }
  return { plugins, rest };
}

/** The specs in SLUICE_PLUGINS. */
export function envPlugins(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  return (env[PLUGINS_ENV] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A folder when it starts with . or / or names a folder here; else a package name. */
const isPath = (spec: string, cwd: string) => spec.startsWith('.') || spec.startsWith('/') || existsSync(resolve(cwd, spec));

/** What `import()` takes for a spec: a folder's entry file as a URL, or the package name. */
function entryOf(spec: string, cwd: string): string {
  if (!isPath(spec, cwd)) return spec;
  const dir = resolve(cwd, spec);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const pkgFile = join(dir, 'package.json');
  const pkg = existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: unknown; main?: unknown }) : {};
  const entry =
    typeof pkg.exports === 'string'
      ? pkg.exports
      : typeof pkg.main === 'string'
        ? pkg.main
        : ['index.js', 'index.ts'].find((f) => existsSync(join(dir, f)));
  if (entry === undefined) throw new Error(`${dir} has no entry: give its package.json "exports" (a file) or "main", or an index.js`);
  return pathToFileURL(join(dir, entry)).href;
}

/**
 * Loads each plugin and registers its node types; returns the types added. Fails naming the
 * plugin: a missing entry, no default export function, or a type it cannot register.
 */
export async function loadPlugins(specs: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const added: string[] = [];
  for (const spec of specs) {
    try {
      const mod = (await import(entryOf(spec, cwd))) as { default?: unknown };
      if (typeof mod.default !== 'function')
        throw new Error('its default export is not a plugin function (sluice) => { sluice.nodeType(...) }');
      const plugin = mod.default as SluicePlugin;
      await plugin({
        nodeType: <C>(p: NodeTypePlugin<C>) => {
          pluginHost.nodeType(p);
          added.push(p.definition.type);
        },
      });
      const absolute = isPath(spec, cwd) ? resolve(cwd, spec) : spec;
      if (!loaded.includes(absolute)) loaded.push(absolute);
    } catch (err) {
      throw new Error(`plugin ${spec}: ${(err as Error).message}`);
    }
  }
  return added;
}

/** Every plugin this process loaded, folders absolute: the embedded runner's partition threads load them too. */
const loaded: string[] = [];
export function loadedPlugins(): readonly string[] {
  return loaded;
}

/** The plugins of this process for the workers it spawns: folders absolute, so any cwd finds them. */
export function exportPlugins(specs: readonly string[], cwd = process.cwd()): void {
  if (specs.length > 0) process.env[PLUGINS_ENV] = specs.map((s) => (isPath(s, cwd) ? resolve(cwd, s) : s)).join(',');
}
