/**
 * A node type shipped in its own package (examples/custom-node) is loaded at start with
 * `--plugin` or SLUICE_PLUGINS, validated and run like a built-in one; without it, the document
 * names an unknown type.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/custom-node');
const dir = mkdtempSync(join(tmpdir(), 'sluice-test-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The example pipeline, reading the example's orders and writing to a temp file. */
function documentFile(): { doc: string; out: string } {
  const doc = JSON.parse(readFileSync(join(EXAMPLE, 'pipelines/dedupe-orders.json'), 'utf8'));
  const out = join(dir, `once-${Math.random().toString(36).slice(2)}.jsonl`);
  doc.nodes[0].config.path = join(EXAMPLE, 'pipelines/orders.jsonl');
  doc.nodes[2].config.path = out;
  const file = join(dir, `dedupe-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return { doc: file, out };
}

async function sluice(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { SLUICE_PLUGINS: _, ...base } = process.env;
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'engine/src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...base, ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a node type from a plugin package', () => {
  it('runs in a pipeline when loaded with --plugin: the first order of each id passes, the repeats are dropped', async () => {
    const { doc, out } = documentFile();
    const r = await sluice(['run', doc, '--plugin', 'examples/custom-node', '--quiet', '--partitions', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // orders.jsonl: A1, B7, A1 (repeat), C3, B7 (repeat), no id, no id (repeat of null).
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.sort((a, b) => a.ts - b.ts)).toEqual([
      { order_id: 'A1', amount: 10, ts: 1000 },
      { order_id: 'B7', amount: 25, ts: 2000 },
      { order_id: 'C3', amount: 5, ts: 4000 },
      { amount: 1, ts: 6000 },
    ]);
    expect(r.stdout).toMatch(/once\s+example\.dedupe\s+7\s+4\s+0\s+0\s+3/);
  });

  it('is loaded from SLUICE_PLUGINS too (what spawned workers inherit)', async () => {
    const { doc } = documentFile();
    const r = await sluice(['validate', doc], { SLUICE_PLUGINS: EXAMPLE });
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('is an unknown node type without the plugin', async () => {
    const { doc } = documentFile();
    const r = await sluice(['validate', doc]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('once: type: unknown node type "example.dedupe"');
  });

  it('refuses a plugin it cannot load, naming it, before running anything', async () => {
    const { doc } = documentFile();
    const r = await sluice(['run', doc, '--plugin', './no-such-plugin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sluice: plugin ./no-such-plugin: ${join(ROOT, 'no-such-plugin')} is not a folder\n`);
  });
});
