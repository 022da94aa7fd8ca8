/**
 * One case, in process: recorded stamps decide lateness as they did live, `.json` arrays read
 * like `.jsonl`, nested field order does not matter, and the pairing key is the window's.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCase } from './case-files.js';
import { runCase } from './run-case.js';
import { formatSuite } from './format-report.js';
import { runSuite, suiteExitCode } from './run-suite.js';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** Orders per SKU per minute (event time from `ts`). */
const doc = {
  format: 'sluice/v1',
  id: 'counts',
  nodes: [
    { id: 'in', type: 'source.http', config: { timeField: 'ts' } },
    { id: 'w', type: 'window', config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'orders', op: 'count' }] } },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'w' },
    { id: 'e2', source: 'w', target: 'out' },
  ],
};
/** Events straight to a sink: pairing by position. */
const passthrough = {
  format: 'sluice/v1',
  id: 'counts',
  nodes: [
    { id: 'in', type: 'source.http', config: {} },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [{ id: 'e1', source: 'in', target: 'out' }],
};

function caseDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-case-'));
  temps.push(root);
  const dir = join(root, 'counts.tests', 'one');
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

const lines = (...xs: unknown[]) => xs.map((x) => `${JSON.stringify(x)}\n`).join('');

describe('runCase', () => {
  it('an event recorded behind the watermark past its window end is dropped; without the stamp it counts', async () => {
    const a1 = { sku: 'A', ts: 10_000 };
    const a2 = { sku: 'A', ts: 70_000 };
    const late = { sku: 'A', ts: 20_000 };
    const stamped = caseDir({ 'input/in.jsonl': lines(a1, a2, { $event: late, $watermark: 70_000 }) });
    const plain = caseDir({ 'input/in.jsonl': lines(a1, a2, late) });
    const outputs = async (dir: string) =>
      (await runCase(await readCase(dir), { document: doc, baseDir: dir })).outputs.out!.map((e) => [e.window_start, e.orders]);
    // Live, the source had read up to 70 s: minute 0 had closed when the 20 s order came.
    expect(await outputs(stamped)).toEqual([
      [0, 1],
      [60_000, 1],
    ]);
    // Plain, the replay's watermark trails by the out-of-orderness it sees (50 s): on time.
    expect(await outputs(plain)).toEqual([
      [0, 2],
      [60_000, 1],
    ]);
  });

  it('nested objects compare whatever their key order; without a keyed node, results pair by position', async () => {
    const dir = caseDir({
      'input/in.jsonl': lines({ id: 1, meta: { z: 1, a: { y: 2, b: 3 } } }, { id: 2, meta: { z: 1 } }),
      'expected/out.jsonl': lines({ id: 1, meta: { a: { b: 3, y: 2 }, z: 1 } }, { id: 2, meta: { z: 2 } }),
    });
    const r = await runCase(await readCase(dir), { document: passthrough, baseDir: dir });
    expect(r.differences.map((d) => [d.key, d.kind, d.fields])).toEqual([
      ['#2', 'changed', [{ field: 'meta', expected: { z: 2 }, actual: { z: 1 } }]],
    ]);
  });

  it('reads .json arrays like .jsonl; differences name sink, key and field', async () => {
    const dir = caseDir({
      'input/in.json': JSON.stringify([
        { sku: 'A', ts: 1000 },
        { sku: 'B', ts: 2000 },
        { sku: 'A', ts: 3000 },
      ]),
      'expected/out.json': JSON.stringify([
        { sku: 'A', window_start: 0, window_end: 60_000, orders: 2 },
        { sku: 'B', window_start: 0, window_end: 60_000, orders: 2 },
      ]),
    });
    const r = await runCase(await readCase(dir), { document: doc, baseDir: dir });
    expect(r.status).toBe('failed');
    expect(r.sinks).toEqual([
      { sink: 'out', key: ['sku', 'window_start'], expected: 2, actual: 2, matched: 1, changed: 1, missing: 0, unexpected: 0 },
    ]);
    expect(r.differences.map((d) => [d.sink, d.key, d.kind, d.fields])).toEqual([
      ['out', 'sku="B", window_start=0', 'changed', [{ field: 'orders', expected: 2, actual: 1 }]],
    ]);
  });

  it('a run that cannot start fails the case with the reason', async () => {
    const dir = caseDir({ 'input/in.jsonl': lines({ sku: 'A' }) });
    const withTable = {
      ...passthrough,
      nodes: [
        passthrough.nodes[0]!,
        { id: 'look', type: 'enrich', config: { table: { path: 'missing.jsonl' }, key: 'sku', on: 'sku' } },
        passthrough.nodes[1]!,
      ],
      edges: [
        { id: 'e1', source: 'in', target: 'look' },
        { id: 'e2', source: 'look', target: 'out' },
      ],
    };
    const r = await runCase(await readCase(dir), { document: withTable, baseDir: dir });
    expect(r.status).toBe('failed');
    expect(r.runError).toContain('look: cannot read table missing.jsonl');
    expect(formatSuite({ label: 'x', testsDir: '.', cases: [{ ...r, case: await readCase(dir) }] })).toContain('  ✗ one: the run failed');
  });

  it('many differences: all counted, fifty printed', async () => {
    const dir = caseDir({ 'input/in.jsonl': lines(...Array.from({ length: 600 }, (_, i) => ({ id: i }))) });
    const testsDir = join(dir, '..');
    const s = await runSuite({ label: 'counts', document: passthrough, baseDir: dir, testsDir });
    const text = formatSuite(s);
    expect(text).toContain('  ✗ one: 600 differences');
    expect(text).toContain('    out (paired by position): 0 expected, 600 sent; 0 as expected, 0 changed, 0 missing, 600 unexpected');
    expect(text).toContain('      ... and 550 more differences');
    expect(text.split('\n').filter((l) => l.includes(': unexpected: the pipeline sent'))).toHaveLength(50);
  });

  it('a suite: exit code 1 for a failed case, 2 when one is invalid; cases run in name order', async () => {
    const dir = caseDir({ 'input/in.jsonl': lines({ sku: 'A', ts: 1 }) });
    const testsDir = join(dir, '..');
    mkdirSync(join(testsDir, 'broken', 'input'), { recursive: true });
    writeFileSync(join(testsDir, 'broken', 'input', 'in.jsonl'), '{"sku":\n');
    const s = await runSuite({ label: 'counts', document: doc, baseDir: dir, testsDir });
    expect(s.cases.map((c) => [c.name, c.status])).toEqual([
      ['broken', 'invalid'],
      ['one', 'failed'], // it expects nothing; the window sends A's count
    ]);
    expect(suiteExitCode([s])).toBe(2);
    expect(suiteExitCode([{ ...s, cases: s.cases.filter((c) => c.status !== 'invalid') }])).toBe(1);
  });
});
