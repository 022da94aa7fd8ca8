/**
 * Every relative link in the repository's Markdown resolves: the file exists and, for a
 * `#heading` into a Markdown file, the heading does (GitHub's anchor rule). Web links are not
 * fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage']);

function markdownFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) markdownFiles(path, out);
    else if (name.endsWith('.md')) out.push(path);
  }
  return out;
}

/** The text outside fenced code blocks and inline code, where a link is a link. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Inline `[text](target "title")` and reference `[label]: target` links. */
function linkTargets(text: string): string[] {
  const body = prose(text);
  const inline = [...body.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const refs = [...body.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...refs];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, -1, -2 for repeats. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const headings = prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm);
  for (const [, heading] of headings) {
    const plain = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  // Explicit anchors (`<a id="logs"></a>`) name a place that is not a heading.
  for (const [, id] of prose(text).matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(id!.toLowerCase());
  return out;
}

function problems(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // https:, mailto:
    const [pathPart = '', anchor] = target.split('#');
    const path = decodeURIComponent(pathPart);
    const dest = path === '' ? file : path.startsWith('/') ? join(ROOT, path) : resolve(dirname(file), path);
    if (!existsSync(dest)) {
      out.push(`${relative(ROOT, file)}: link ${target}: ${relative(ROOT, dest)} does not exist`);
      continue;
    }
    if (anchor && dest.endsWith('.md') && !anchors(readFileSync(dest, 'utf8')).has(anchor.toLowerCase())) {
      out.push(`${relative(ROOT, file)}: link ${target}: ${relative(ROOT, dest)} has no heading #${anchor}`);
    }
  }
  return out;
}

/** `DESIGN.md`-style names in prose (outside links and code): each must be a file of the repository. */
function unknownNames(file: string, known: Set<string>): string[] {
  const body = prose(readFileSync(file, 'utf8')).replace(/\]\([^)]*\)/g, ']');
  const names = [...body.matchAll(/(?<![\w/.-])([\w-]+\.md)\b/g)].map((m) => m[1]!);
  return names.filter((n) => !known.has(n)).map((n) => `${relative(ROOT, file)}: names ${n}, which is not in the repository`);
}

describe('Markdown links', () => {
  it('finds the links and anchors it checks', () => {
    const text =
      '# Windows (event time)\n## Values\n## Values\nSee [a](b.md#x "t") and `[not](c.md)`.\n\n```\n[nor](d.md)\n```\n[ref]: ./e.md\n<a id="Logs"></a>**Logs.**\n';
    expect(linkTargets(text)).toEqual(['b.md#x', './e.md']);
    expect([...anchors(text)]).toEqual(['windows-event-time', 'values', 'values-1', 'logs']);
  });

  it('every relative link in every *.md of the repository resolves', () => {
    const files = markdownFiles(ROOT);
    expect(files.map((f) => relative(ROOT, f))).toContain('docs/graph-format.md');
    expect(files.flatMap(problems)).toEqual([]);
  });

  it('no Markdown file names a document the repository does not have', () => {
    const files = markdownFiles(ROOT);
    const known = new Set(files.map((f) => f.slice(dirname(f).length + 1)));
    expect(files.flatMap((f) => unknownNames(f, known))).toEqual([]);
  });
});
