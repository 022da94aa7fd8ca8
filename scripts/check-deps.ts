/**
 * Dependency direction, checked in `pnpm lint`: shared <- nodes <- engine; the editor sees
 * shared and node definitions only; browser-safe code has no Node built-ins; no package imports
 * editor or test; product code never calls eval / new Function / vm.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const EVAL_RE = /\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(\s*['"`]|from\s+['"](node:)?vm['"]/;

interface Rule {
  /** Files this rule applies to (relative to the repo root). */
  applies: (file: string) => boolean;
  /** Returns the reason an import is forbidden, or undefined. */
  forbid: (spec: string, file: string) => string | undefined;
}

/** Server-side libraries of the engine and the connectors: never in the browser bundle. */
const SERVER_LIBS = ['ioredis', 'pg', 'mqtt', 'bullmq', 'amqplib', 'nats', 'msgpackr', 'prom-client', 'hono'];
const isServerLib = (s: string) => SERVER_LIBS.some((lib) => s === lib || s.startsWith(`${lib}/`));
const isNodeBuiltin = (s: string) => s.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'net', 'http', 'vm'].includes(s);
const browserSafe = (file: string) =>
  file.startsWith('shared/src/') ||
  file.startsWith('editor/src/') ||
  /^nodes\/src\/([^/]+\/)+definition\.ts$/.test(file) ||
  file === 'nodes/src/definitions.ts' ||
  file === 'nodes/src/sdk/define-node.ts';

const RULES: Rule[] = [
  {
    applies: (f) => /^(shared|nodes|engine|editor)\/src\//.test(f),
    forbid: (s) => (s.startsWith('@sluice/test') || s.startsWith('@sluice/editor') ? 'nothing imports editor or test' : undefined),
  },
  {
    applies: (f) => f.startsWith('shared/src/'),
    forbid: (s) => (s.startsWith('@sluice/') ? 'shared depends on no other package' : undefined),
  },
  {
    applies: (f) => f.startsWith('nodes/src/'),
    forbid: (s) => (s.startsWith('@sluice/') && s !== '@sluice/shared' ? 'nodes depends on shared only' : undefined),
  },
  {
    applies: (f) => f.startsWith('editor/src/'),
    forbid: (s) =>
      s.startsWith('@sluice/') && !['@sluice/shared', '@sluice/nodes/definitions', '@sluice/nodes/sdk'].includes(s)
        ? 'the editor sees shared and node definitions only'
        : isServerLib(s)
          ? 'connector libraries never reach the browser bundle'
          : undefined,
  },
  {
    applies: (f) => browserSafe(f) && !f.endsWith('.test.ts'),
    forbid: (s, f) =>
      isNodeBuiltin(s)
        ? 'browser-safe code uses no Node built-ins'
        : /\/operator(s)?(\.js)?$/.test(s) && f.startsWith('nodes/')
          ? 'definitions never import operators'
          : undefined,
  },
];

/**
 * nodes/src/<folder>/: a node type (`filter/`) or an external system (`nats/`, with its
 * connection, check and test client beside `source/` and `sink/`). Its code imports only its own
 * folder, sdk/ and shared: what two folders share lives in sdk/. Tests may also reach the
 * registries (definitions.ts, operators.ts) and, for a cross-system test, a test client.
 */
const nodeFolder = (file: string) => /^nodes\/src\/([^/]+)\//.exec(file)?.[1];
RULES.push({
  applies: (f) => nodeFolder(f) !== undefined && nodeFolder(f) !== 'sdk',
  forbid: (spec, file) => {
    if (!spec.startsWith('.')) return undefined;
    const target = join(file, '..', spec);
    const folder = nodeFolder(target);
    if (folder === nodeFolder(file) || folder === 'sdk') return undefined;
    if (file.endsWith('.test.ts') && (/^nodes\/src\/(definitions|operators)\.js$/.test(target) || /-test-client\.js$/.test(target)))
      return undefined;
    return `a node or system folder imports only itself, sdk/ and shared (${target} is in ${folder ?? 'nodes/src'}/): move what they share to sdk/`;
  },
});
RULES.push({
  applies: (f) => f.startsWith('nodes/src/sdk/') && !f.startsWith('nodes/src/sdk/testing/') && !f.endsWith('.test.ts'),
  forbid: (spec, file) =>
    spec.startsWith('.') && !join(file, '..', spec).startsWith('nodes/src/sdk/')
      ? 'sdk/ knows no node type: node folders import it, never the other way'
      : undefined,
});

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

const problems: string[] = [];
for (const pkg of ['shared', 'nodes', 'engine', 'editor']) {
  let files: string[] = [];
  try {
    files = walk(join(ROOT, pkg, 'src'));
  } catch {
    continue;
  }
  for (const abs of files) {
    const file = relative(ROOT, abs);
    const text = readFileSync(abs, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2]!;
      for (const rule of RULES) {
        if (!rule.applies(file)) continue;
        const why = rule.forbid(spec, file);
        if (why) problems.push(`${file}: imports ${spec}: ${why}`);
      }
    }
    if (!file.endsWith('.test.ts') && EVAL_RE.test(text))
      problems.push(`${file}: eval, new Function or vm: user text must never reach them`);
  }
}

/**
 * What the editor imports from nodes (the definitions registry and the SDK), followed through
 * every relative import: nothing reached may pull a Node built-in or a server library into the
 * browser bundle (a definition's helper file counts as much as the definition).
 */
function browserReach(entries: string[]): void {
  const seen = new Set<string>();
  const queue = entries.map((e) => ({ abs: join(ROOT, e), via: [e] }));
  while (queue.length > 0) {
    const { abs, via } = queue.shift()!;
    if (seen.has(abs)) continue;
    seen.add(abs);
    const text = readFileSync(abs, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2]!;
      if (/^import\s+type\b|^export\s+type\b/.test(m[0])) continue; // erased at build
      if (spec.startsWith('.')) {
        const next = join(abs, '..', spec.replace(/\.js$/, '.ts'));
        queue.push({ abs: next, via: [...via, relative(ROOT, next)] });
      } else if (isNodeBuiltin(spec) || isServerLib(spec)) {
        problems.push(`${via.join(' -> ')}: imports ${spec}: the editor bundles this file, and ${spec} is server-side`);
      }
    }
  }
}
browserReach(['nodes/src/definitions.ts', 'nodes/src/sdk/index.ts']);

if (problems.length > 0) {
  process.stderr.write(`dependency check failed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('dependency check: ok\n');
