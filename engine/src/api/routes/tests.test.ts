/**
 * Test cases through the API: made from the recording of a run, listed, run; and a deploy of a
 * pipeline that requires its cases refused (409, with the diff) when a change breaks one.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { forbiddenDocumentChanges } from '../../auth/business-guard.js';
import { closeTestApis, testApi, waitFor } from '../test-support.js';

afterEach(closeTestApis);

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Orders per SKU per minute; price 11 when a SKU has at least `threshold` orders, else 10. */
const pricing = (threshold: number, settings?: Record<string, unknown>) => ({
  format: 'sluice/v1',
  id: 'pricing',
  name: 'Pricing',
  params: { threshold: { type: 'number', value: threshold, exposed: true, min: 0, max: 100 } },
  nodes: [
    { id: 'in', type: 'source.file', config: { path: 'orders.jsonl', timeField: 'ts' } },
    { id: 'w', type: 'window', config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'orders', op: 'count' }] } },
    { id: 'price', type: 'map', config: { set: { price: 'orders >= params.threshold ? 11 : 10' } } },
    { id: 'out', type: 'sink.file', config: { path: 'prices.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'w' },
    { id: 'e2', source: 'w', target: 'price' },
    { id: 'e3', source: 'price', target: 'out' },
  ],
  ...(settings ? { settings } : {}),
});

// Minute 0: A x3, B x2, C x1; minute 1: A x1. B at 2500 arrives after A at 3000: the file
// source reads it behind its watermark (3000), and the recording keeps that stamp.
const ORDERS = [
  { sku: 'A', ts: 1000 },
  { sku: 'A', ts: 2000 },
  { sku: 'A', ts: 3000 },
  { sku: 'B', ts: 2500 },
  { sku: 'B', ts: 4000 },
  { sku: 'C', ts: 5000 },
  { sku: 'A', ts: 61_000 },
];

async function recordedPricing(threshold: number, settings?: Record<string, unknown>) {
  const api = testApi();
  mkdirSync(join(api.dataDir, 'files'), { recursive: true });
  writeFileSync(join(api.dataDir, 'files', 'orders.jsonl'), `${ORDERS.map((e) => JSON.stringify(e)).join('\n')}\n`);
  expect((await api.call('POST', '/api/pipelines', pricing(threshold, settings))).status).toBe(201);
  expect((await api.call('POST', '/api/pipelines/pricing/deploy')).status).toBe(200);
  await waitFor(async () => (await api.call('GET', '/api/pipelines/pricing/status')).json.status === 'completed');
  await waitFor(async () => (await api.call('GET', '/api/pipelines/pricing/recording')).json.events === ORDERS.length);
  return api;
}

describe('/api/pipelines/:id/tests', () => {
  it('makes a case from the recording: inputs as recorded, expected as the saved document sends them; lists and runs it', async () => {
    const api = await recordedPricing(3);
    const made = await api.call('POST', '/api/pipelines/pricing/tests', { name: 'minute-0', description: 'A surges at 3 orders' });
    expect(made.status, made.text).toBe(201);
    expect(made.json).toEqual({ case: { name: 'minute-0', description: 'A surges at 3 orders', inputs: { in: 7 }, expected: { out: 4 } } });

    // On disk beside the pipeline's files, in the layout `sluice test` reads.
    const dir = join(api.dataDir, 'files', 'pricing.tests', 'minute-0');
    const input = readFileSync(join(dir, 'input/in.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Timed by the source's timeField: plain events; the one read behind the watermark keeps its stamp.
    expect(input).toEqual([...ORDERS.slice(0, 3), { $event: ORDERS[3], $time: 2500, $watermark: 3000 }, ...ORDERS.slice(4)]);
    const expected = readFileSync(join(dir, 'expected/out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(expected.map((e) => [e.sku, e.window_start, e.orders, e.price])).toEqual([
      ['A', 0, 3, 11],
      ['B', 0, 2, 10],
      ['C', 0, 1, 10],
      ['A', 60_000, 1, 10],
    ]);

    expect((await api.call('POST', '/api/pipelines/pricing/tests', { name: 'minute-0' })).status).toBe(409);
    expect((await api.call('POST', '/api/pipelines/pricing/tests', { name: '../up' })).status).toBe(400);
    expect((await api.call('POST', '/api/pipelines/pricing/tests', { name: 'x', params: { nope: 1 } })).status).toBe(422);

    // From an uploaded sample, as a preview takes one: C alone.
    const sample = await api.call('POST', '/api/pipelines/pricing/tests', { name: 'only-c', events: { in: [{ sku: 'C', ts: 5000 }] } });
    expect(sample.status, sample.text).toBe(201);
    expect(sample.json.case).toEqual({ name: 'only-c', inputs: { in: 1 }, expected: { out: 1 } });
    expect(JSON.parse(readFileSync(join(api.dataDir, 'files/pricing.tests/only-c/expected/out.jsonl'), 'utf8'))).toMatchObject({
      sku: 'C',
      orders: 1,
      price: 10,
    });
    expect((await api.call('POST', '/api/pipelines/pricing/tests', { name: 'y', events: { nope: [] } })).status).toBe(400);
    rmSync(join(api.dataDir, 'files/pricing.tests/only-c'), { recursive: true });

    const list = await api.call('GET', '/api/pipelines/pricing/tests');
    expect(list.json).toEqual({
      required: false,
      cases: [{ name: 'minute-0', description: 'A surges at 3 orders', inputs: { in: 7 }, expected: { out: 4 } }],
    });

    const run = await api.call('POST', '/api/pipelines/pricing/tests/run');
    expect(run.status).toBe(200);
    expect(run.json.passed).toBe(true);
    // A draft with threshold 2: B now surges in minute 0.
    const draft = await api.call('POST', '/api/pipelines/pricing/tests/run', { params: { threshold: 2 } });
    expect(draft.json.passed).toBe(false);
    expect(draft.json.cases[0].differences).toEqual([
      {
        sink: 'out',
        key: 'sku="B", window_start=0',
        kind: 'changed',
        fields: [{ field: 'price', expected: 10, actual: 11 }],
        expected: expected[1],
        actual: { ...expected[1], price: 11 },
      },
    ]);

    // And `sluice test` runs the same folder as CI would, given the document beside it.
    writeFileSync(join(api.dataDir, 'files', 'pricing.json'), JSON.stringify(pricing(3)));
    const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const cli = spawnSync(process.execPath, ['--import', tsx, join(ROOT, 'engine/src/cli/main.ts'), 'test', join(api.dataDir, 'files')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toContain('  ✓ minute-0');
  });

  it('with settings.requireTestsOnDeploy, a deploy whose change breaks a case is refused with the diff; one that keeps them passing goes through', async () => {
    const api = await recordedPricing(3);
    expect((await api.call('POST', '/api/pipelines/pricing/tests', { name: 'minute-0' })).status).toBe(201);
    // Requiring tests is a change to the document (editors; a business user may not make it).
    expect((await api.call('PUT', '/api/pipelines/pricing', pricing(3, { requireTestsOnDeploy: true }))).status).toBe(200);
    expect((await api.call('POST', '/api/pipelines/pricing/deploy')).status).toBe(200);

    // A business user's change: the threshold down to 2.
    expect((await api.call('PUT', '/api/pipelines/pricing', pricing(2, { requireTestsOnDeploy: true }))).status).toBe(200);
    const refused = await api.call('POST', '/api/pipelines/pricing/deploy');
    expect(refused.status, refused.text).toBe(409);
    expect(refused.json.error.code).toBe('tests-failed');
    expect(refused.json.error.message).toBe(
      'deploy refused: 1 of 1 test case does not pass with this change (minute-0); details has the diff',
    );
    const [c] = refused.json.error.details;
    expect(c.name).toBe('minute-0');
    expect(c.status).toBe('failed');
    expect(c.differences.map((d: { key: string; fields: unknown }) => [d.key, d.fields])).toEqual([
      ['sku="B", window_start=0', [{ field: 'price', expected: 10, actual: 11 }]],
    ]);
    expect(c.diff).toContain('  out sku="B", window_start=0:\n    price: expected 10, actual 11');
    // Deploy params are checked as well: the saved value back at 3, overridden to 2 at deploy.
    expect((await api.call('PUT', '/api/pipelines/pricing', pricing(3, { requireTestsOnDeploy: true }))).status).toBe(200);
    expect((await api.call('POST', '/api/pipelines/pricing/deploy', { params: { threshold: 2 } })).status).toBe(409);
    const ok = await api.call('POST', '/api/pipelines/pricing/deploy', { params: { threshold: 3 } });
    expect(ok.status, ok.text).toBe(200);
  });

  it('a business user may change an exposed value but not the requirement', () => {
    const stored = pricing(3, { requireTestsOnDeploy: true });
    expect(forbiddenDocumentChanges(stored, pricing(2, { requireTestsOnDeploy: true }))).toEqual([]);
    expect(forbiddenDocumentChanges(stored, pricing(2)).map((c) => c.path)).toEqual(['settings']);
    expect(forbiddenDocumentChanges(stored, pricing(3, { requireTestsOnDeploy: false })).map((c) => c.path)).toEqual([
      'settings.requireTestsOnDeploy',
    ]);
  });

  it('a pipeline that requires tests but has none is refused; an invalid settings value is a diagnostic', async () => {
    const api = testApi();
    const doc = { ...pricing(3, { requireTestsOnDeploy: true }), id: 'bare' };
    mkdirSync(join(api.dataDir, 'files'), { recursive: true });
    writeFileSync(join(api.dataDir, 'files', 'orders.jsonl'), '{"sku":"A","ts":1}\n');
    expect((await api.call('POST', '/api/pipelines', doc)).status).toBe(201);
    const r = await api.call('POST', '/api/pipelines/bare/deploy');
    expect(r.status).toBe(409);
    expect(r.json.error.message).toContain('settings.requireTestsOnDeploy is set but pipeline "bare" has no test cases');
    expect((await api.call('GET', '/api/pipelines/bare/tests')).json).toEqual({ required: true, cases: [] });
    expect((await api.call('POST', '/api/pipelines/bare/tests', { name: 'one' })).json.error.code).toBe('no-recording');
    const bad = await api.call('POST', '/api/pipelines', { ...doc, id: 'bad-settings', settings: { requireTestsOnDeploy: 'yes' } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details).toEqual([
      { severity: 'error', code: 'wrong-type', message: 'expected boolean, got string "yes"', path: 'settings.requireTestsOnDeploy' },
    ]);
  });

  it("serves an example's shipped cases (its folder is its baseDir)", async () => {
    const api = testApi();
    const folder = join(api.dataDir, 'ex');
    cpSync(join(ROOT, 'examples/fraud'), folder, { recursive: true, filter: (src) => !src.includes(`${join('fraud', 'out')}`) });
    const doc = JSON.parse(readFileSync(join(folder, 'fraud.json'), 'utf8'));
    await api.store.put('fraud', doc, { author: 't', action: 'import', baseDir: folder });
    const list = await api.call('GET', '/api/pipelines/fraud/tests');
    expect(list.json.cases.map((c: { name: string }) => c.name)).toEqual(['velocity-spend-large']);
    expect((await api.call('POST', '/api/pipelines/fraud/tests/run')).json.passed).toBe(true);
    expect(existsSync(join(folder, 'fraud.tests/velocity-spend-large/expected/large_alerts.jsonl'))).toBe(true);
  });
});
