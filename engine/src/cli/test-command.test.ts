/**
 * `sluice test` as CI runs it: a real process, its exit codes, the diff it prints, the JUnit
 * file it writes (read back with Python's XML parser), `--update`, and the refusals of invalid
 * documents and cases, each naming the file.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
// By path: the CLI runs in temporary folders, where a bare `--import tsx` would not resolve.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const FRAUD = join(ROOT, 'examples/fraud');
const CASE = 'fraud.tests/velocity-spend-large';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function sluice(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the fraud example with its cases, in a fresh temporary folder. */
function fraudCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-cmd-'));
  temps.push(dir);
  cpSync(join(FRAUD, 'fraud.json'), join(dir, 'fraud.json'));
  cpSync(join(FRAUD, 'fraud.tests'), join(dir, 'fraud.tests'), { recursive: true });
  return dir;
}

/** The JUnit file as Python's parser reads it: element tags, attributes and text. */
function parseXml(file: string): { tag: string; attrs: Record<string, string>; text: string; children: unknown[] } {
  const script = [
    'import json, sys, xml.etree.ElementTree as ET',
    'def walk(e): return {"tag": e.tag, "attrs": dict(e.attrib), "text": (e.text or "").strip(), "children": [walk(c) for c in e]}',
    'print(json.dumps(walk(ET.parse(sys.argv[1]).getroot())))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`python3 could not parse ${file}: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('sluice test', { timeout: 240_000 }, () => {
  it('runs every example case: exit 0, each case passed', () => {
    const r = sluice(ROOT, 'test', 'examples/');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const line of [
      '  ✓ late-order-dropped',
      '  ✓ surge-and-slow-sellers',
      '  ✓ velocity-spend-large',
      '  ✓ vibration-and-heat',
      '  ✓ vibration-spike',
      '  ✓ views-per-campaign',
    ])
      expect(r.stdout).toContain(line);
    expect(r.stdout).toContain('6 cases: 6 passed, 0 failed');
  });

  it('a broken expectation: exit 1, the diff by case, sink, key and field, a JUnit failure; --update makes it pass', () => {
    const dir = fraudCopy();
    const spend = join(dir, CASE, 'expected/spend_alerts.jsonl');
    const original = readFileSync(spend, 'utf8');
    const lines = original.trim().split('\n');
    // First window's spend off by 100; the last window's alert dropped; one alert the pipeline never sends.
    const broken = [
      lines[0]!.replace('"spend":5500', '"spend":5400'),
      lines[1]!,
      '{"card_id":"card-09999","window_start":1767225600000,"window_end":1767225660000,"payments":1,"spend":9000,"largest":9000,"countries":1}',
    ];
    writeFileSync(spend, `${broken.join('\n')}\n`);

    const r = sluice(dir, 'test', 'fraud.json', '--junit', 'report.xml');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('  ✗ velocity-spend-large: 3 differences');
    expect(r.stdout).toContain(
      '    spend_alerts (paired by card_id, window_start): 3 expected, 3 sent; 1 as expected, 1 changed, 1 missing, 1 unexpected',
    );
    expect(r.stdout).toContain(
      '      spend_alerts card_id="5839af9389a00484", window_start=1767225640000:\n        spend: expected 5400, actual 5500',
    );
    expect(r.stdout).toContain(
      '      spend_alerts card_id="card-09999", window_start=1767225600000: missing: expected {"card_id":"card-09999","window_start":1767225600000,"window_end":1767225660000,"payments":1,"spend":9000,"largest":9000,"countries":1}, the pipeline sent no such event',
    );
    expect(r.stdout).toContain(
      '      spend_alerts card_id="5839af9389a00484", window_start=1767225660000: unexpected: the pipeline sent {"card_id":"5839af9389a00484","window_start":1767225660000,"window_end":1767225720000,"payments":2,"spend":5500,"largest":3000,"countries":1}',
    );
    expect(r.stdout).toContain('1 case: 0 passed, 1 failed');
    expect(r.stderr).toContain('--update');

    const xml = parseXml(join(dir, 'report.xml')) as {
      tag: string;
      attrs: Record<string, string>;
      children: {
        tag: string;
        attrs: Record<string, string>;
        children: {
          tag: string;
          attrs: Record<string, string>;
          children: { tag: string; attrs: Record<string, string>; text: string }[];
        }[];
      }[];
    };
    expect(xml.tag).toBe('testsuites');
    expect(xml.attrs).toMatchObject({ tests: '1', failures: '1', errors: '0' });
    const [suite] = xml.children;
    expect(suite!.tag).toBe('testsuite');
    expect(suite!.attrs).toMatchObject({ name: 'fraud.json', tests: '1', failures: '1', errors: '0' });
    const [tc] = suite!.children;
    expect(tc!.tag).toBe('testcase');
    expect(tc!.attrs).toMatchObject({ classname: 'fraud', name: 'velocity-spend-large' });
    expect(Number(tc!.attrs.time)).toBeGreaterThanOrEqual(0);
    const [failure] = tc!.children;
    expect(failure!.tag).toBe('failure');
    expect(failure!.attrs.message).toBe('3 differences from the expected outputs');
    expect(failure!.text).toContain('spend: expected 5400, actual 5500');

    const u = sluice(dir, 'test', '.', '--update');
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(u.stdout).toContain(`updated fraud.tests/velocity-spend-large/expected`);
    expect(readFileSync(spend, 'utf8')).toBe(original);
    expect(sluice(dir, 'test', 'fraud.tests').code).toBe(0);
  });

  it('a params change that breaks a case fails it; a passing run writes a JUnit file with no failure', () => {
    const dir = fraudCopy();
    const doc = JSON.parse(readFileSync(join(dir, 'fraud.json'), 'utf8'));
    doc.params.single_payment_limit.value = 5000; // the 4500 payment no longer raises a large alert
    writeFileSync(join(dir, 'fraud.json'), JSON.stringify(doc));
    const r = sluice(dir, 'test', 'fraud.json');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('large_alerts (paired by position): 1 expected, 0 sent; 0 as expected, 0 changed, 1 missing, 0 unexpected');
    expect(r.stdout).toContain('large_alerts #1: missing: expected {"tx_id":4,');
    const unknownCase = sluice(dir, 'test', 'fraud.json', '--case', 'nope');
    expect(unknownCase.code).toBe(2);
    expect(unknownCase.stderr).toContain('no case named "nope"');

    const ok = sluice(ROOT, 'test', 'examples/ysb/ysb.json', '--junit', join(dir, 'ok.xml'));
    expect(ok.code).toBe(0);
    const xml = parseXml(join(dir, 'ok.xml')) as {
      attrs: Record<string, string>;
      children: { children: { tag: string; attrs: Record<string, string>; children: unknown[] }[] }[];
    };
    expect(xml.attrs).toMatchObject({ tests: '1', failures: '0', errors: '0' });
    expect(xml.children[0]!.children.map((c) => [c.tag, c.attrs.name, c.children.length])).toEqual([['testcase', 'views-per-campaign', 0]]);
  });

  it('invalid cases: exit 2, each named with its file and what is wrong; the valid case still runs', () => {
    const dir = fraudCopy();
    const tests = join(dir, 'fraud.tests');
    const make = (name: string, files: Record<string, string>) => {
      for (const [f, text] of Object.entries(files)) {
        mkdirSync(join(tests, name, f, '..'), { recursive: true });
        writeFileSync(join(tests, name, f), text);
      }
    };
    const tx = '{"card_id":"c","amount":1,"ts":"2026-01-01T00:00:00Z"}\n';
    make('bad-json', { 'case.json': '{"timeField":"ts"}', 'input/transactions.jsonl': `${tx}{"card_id": \n` });
    make('bad-key', { 'case.json': '{"timeField":"ts","param":{}}', 'input/transactions.jsonl': tx });
    make('bad-param', { 'case.json': '{"timeField":"ts","params":{"max_tx_per_minute":0}}', 'input/transactions.jsonl': tx });
    make('bad-source', { 'input/orders.jsonl': tx });
    make('bad-sink', { 'case.json': '{"timeField":"ts"}', 'input/transactions.jsonl': tx, 'expected/rules.jsonl': '' });
    make('bad-time', { 'case.json': '{"timeField":"ts"}', 'input/transactions.jsonl': '{"card_id":"c","amount":1,"ts":"yesterday"}\n' });
    make('too-many', { 'case.json': '{"timeField":"ts"}', 'input/transactions.jsonl': '{}\n'.repeat(100_001) });
    make('no-input', { 'case.json': '{}' });

    const junit = join(dir, 'errors.xml');
    const r = sluice(dir, 'test', 'fraud.json', '--junit', junit);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const c = 'fraud.tests'; // under the current folder: printed relative to it
    for (const line of [
      `  ! bad-json: invalid case: ${c}/bad-json/input/transactions.jsonl:2: line 2 is not valid JSON`,
      `  ! bad-key: invalid case: ${c}/bad-key/case.json: unknown key "param" (case.json has description, params, timeField, secrets)`,
      `  ! bad-param: invalid case: ${c}/bad-param/case.json: the document does not compile with this case's params: `,
      `  ! bad-source: invalid case: ${c}/bad-source/input: "orders" is not a source node of the document; name files after source node ids`,
      `  ! bad-sink: invalid case: ${c}/bad-sink/expected/rules.jsonl: "rules" is not a sink node of the document`,
      `  ! bad-time: invalid case: ${c}/bad-time/input/transactions.jsonl:1: ts: "yesterday" is not a time`,
      `  ! no-input: invalid case: ${c}/no-input/input: no input: put the events of a source in input/<source id>.jsonl`,
      `  ! too-many: invalid case: ${c}/too-many/input/transactions.jsonl: more than 100000 events; a case file may have at most that many`,
      '  ✓ velocity-spend-large',
    ])
      expect(r.stdout).toContain(line);
    expect(r.stdout).toMatch(/bad-param.*max_tx_per_minute/);
    expect(r.stdout).toContain('9 cases: 1 passed, 0 failed, 8 invalid');
    expect(r.stderr).toContain('a document or case is invalid');
    const xml = parseXml(junit) as {
      attrs: Record<string, string>;
      children: { children: { attrs: Record<string, string>; children: { tag: string; attrs: Record<string, string> }[] }[] }[];
    };
    expect(xml.attrs).toMatchObject({ tests: '9', failures: '0', errors: '8' });
    const errors = xml.children[0]!.children.filter((t) => t.children[0]?.tag === 'error');
    expect(errors.map((t) => t.attrs.name)).toEqual([
      'bad-json',
      'bad-key',
      'bad-param',
      'bad-sink',
      'bad-source',
      'bad-time',
      'no-input',
      'too-many',
    ]);
    expect(errors[0]!.children[0]!.attrs).toMatchObject({ type: 'invalid-case' });
  });

  it('an invalid document, a tests folder without its document, a case file over the size limit: exit 2 naming each', () => {
    const dir = fraudCopy();
    writeFileSync(join(dir, 'fraud.json'), JSON.stringify({ format: 'sluice/v1', nodes: [{ id: 'x', type: 'nope' }], edges: [] }));
    mkdirSync(join(dir, 'orphan.tests/one/input'), { recursive: true });
    const big = join(dir, 'big');
    mkdirSync(join(big, 'ysb.tests/huge/input'), { recursive: true });
    cpSync(join(ROOT, 'examples/ysb/ysb.json'), join(big, 'ysb.json'));
    writeFileSync(join(big, 'ysb.tests/huge/input/ad_events.jsonl'), Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    const r = sluice(dir, 'test', '.');
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('fraud.json\n  ! invalid document: x: type: unknown node type "nope"');
    expect(r.stdout).toContain('  ! orphan.tests: no document orphan.json beside this tests folder');
    expect(r.stdout).toContain(
      `  ! huge: invalid case: big/ysb.tests/huge/input/ad_events.jsonl: 16777217 bytes; a case file may have at most 16777216 (16 MiB): make the case smaller`,
    );
    expect(sluice(dir, 'test').code).toBe(2);
    expect(sluice(dir, 'test', 'nowhere.json').stdout).toContain('  ! nowhere.json: no such file or folder');
  });
});
