/**
 * Pinned sample data through the API (docs/pinned-samples.md): pinned, masked and limited; a
 * never-deployed pipeline previewed, debug-run and "run to here" on it; a generator previewed
 * on its own events; a test case made from it; and a rollback gated by its cases.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, testApi, waitFor } from '../test-support.js';

afterEach(closeTestApis);

/** total = quantity * price; big when total >= threshold; a total that cannot be computed goes to the error port. */
const shop = (threshold: number, settings?: Record<string, unknown>) => ({
  format: 'sluice/v1',
  id: 'shop',
  name: 'Shop',
  nodes: [
    { id: 'in', type: 'source.file', config: { path: 'orders.jsonl', timeField: 'ts' } },
    { id: 'total', type: 'map', config: { set: { total: 'quantity * price' } } },
    { id: 'big', type: 'filter', config: { expression: `total >= ${threshold}` } },
    { id: 'out', type: 'sink.console', config: { prefix: 'big: ' } },
    { id: 'bad', type: 'sink.console', config: { prefix: 'bad: ' } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'total' },
    { id: 'e2', source: 'total', target: 'big' },
    { id: 'e3', source: 'big', target: 'out' },
    { id: 'e4', source: 'total', sourcePort: 'error', target: 'bad' },
  ],
  ...(settings ? { settings } : {}),
});

// Totals: A 60 (not big), B 200, C fails ("many" * 10), D 100.
const ORDERS = [
  { sku: 'A', quantity: 2, price: 30, ts: 1000, customer_email: 'a@example.com' },
  { sku: 'B', quantity: 5, price: 40, ts: 2000, customer_email: 'b@example.com' },
  { sku: 'C', quantity: 'many', price: 10, ts: 3000 },
  { sku: 'D', quantity: 4, price: 25, ts: 4000 },
];
const JSONL = ORDERS.map((e) => JSON.stringify(e)).join('\n');

async function pinnedShop(threshold = 100, settings?: Record<string, unknown>) {
  const api = testApi();
  expect((await api.call('POST', '/api/pipelines', shop(threshold, settings))).status).toBe(201);
  const pin = await api.call('PUT', '/api/pipelines/shop/pinned/in', { jsonl: JSONL });
  expect(pin.status).toBe(200);
  return api;
}

describe('/api/pipelines/:id/pinned', () => {
  it('pins pasted JSON Lines masked by the privacy defaults, lists and unpins them', async () => {
    const api = await pinnedShop();
    const got = await api.call('GET', '/api/pipelines/shop/pinned');
    expect(got.json).toEqual({
      limits: { events: 100, bytes: 262144 },
      sources: {
        in: {
          count: 4,
          events: [
            { sku: 'A', quantity: 2, price: 30, ts: 1000, customer_email: '***' },
            { sku: 'B', quantity: 5, price: 40, ts: 2000, customer_email: '***' },
            { sku: 'C', quantity: 'many', price: 10, ts: 3000 },
            { sku: 'D', quantity: 4, price: 25, ts: 4000 },
          ],
        },
      },
    });
    expect((await api.call('PUT', '/api/pipelines/shop/pinned/in', { events: [{ sku: 'Z', ts: 1 }] })).json.count).toBe(1);
    expect((await api.call('DELETE', '/api/pipelines/shop/pinned/in')).status).toBe(200);
    expect((await api.call('GET', '/api/pipelines/shop/pinned')).json.sources).toEqual({});
  });

  it('refuses what is not a sample, naming what and where', async () => {
    const api = await pinnedShop();
    const line = await api.call('PUT', '/api/pipelines/shop/pinned/in', { jsonl: '{"a":1}\n{"a":' });
    expect(line.status).toBe(400);
    expect(line.json.error.code).toBe('invalid-sample');
    expect(line.json.error.message).toContain('pinned sample for "in": line 2 is not valid JSON');
    const many = await api.call('PUT', '/api/pipelines/shop/pinned/in', { events: Array.from({ length: 101 }, (_, i) => ({ i })) });
    expect(many.json.error.message).toBe('pinned sample for "in": 101 events; a pinned sample holds at most 100');
    const notObject = await api.call('PUT', '/api/pipelines/shop/pinned/in', { events: [{ a: 1 }, 7] });
    expect(notObject.json.error.message).toBe('pinned sample for "in": event 2: an event is a JSON object');
    const big = await api.call('PUT', '/api/pipelines/shop/pinned/in', { events: [{ text: 'x'.repeat(300 * 1024) }] });
    expect(big.json.error.message).toContain('more than 256 KiB');
    const sink = await api.call('PUT', '/api/pipelines/shop/pinned/out', { events: [{ a: 1 }] });
    expect(sink.status).toBe(400);
    expect(sink.json.error.code).toBe('not-a-source');
    expect((await api.call('PUT', '/api/pipelines/shop/pinned/nope', { events: [{ a: 1 }] })).status).toBe(404);
    const both = await api.call('PUT', '/api/pipelines/shop/pinned/in', { events: [{ a: 1 }], jsonl: '{}' });
    expect(both.status).toBe(400);
    const none = await api.call('PUT', '/api/pipelines/shop/pinned/in', { fromRecording: 10 });
    expect(none.status).toBe(409);
    expect(none.json.error.code).toBe('no-recording');
  });

  it('previews a pipeline that never ran on its pinned events, without deploying it', async () => {
    const api = await pinnedShop();
    const r = await api.call('POST', '/api/pipelines/shop/preview', { document: shop(150) });
    expect(r.status).toBe(200);
    expect(r.json.samples).toEqual({ in: 'pinned' });
    expect(r.json.recording).toEqual({ events: 4, sources: { in: 4 } });
    // Live (the saved document, threshold 100): B and D; the draft (150): B only. By position.
    expect(r.json.diff.out).toMatchObject({ unchanged: 1, changed: 0, added: 0, removed: 1 });
    expect(r.json.diff.bad).toMatchObject({ unchanged: 1 });
    expect((r.json.live.outputs as Record<string, unknown[]>).out).toEqual([
      { sku: 'B', quantity: 5, price: 40, ts: 2000, customer_email: '***', total: 200 },
      { sku: 'D', quantity: 4, price: 25, ts: 4000, total: 100 },
    ]);
    expect((await api.call('GET', '/api/pipelines/shop/status')).json.status).toBe('not-deployed');
  });

  it("a debug run gives console lines, error-port events with _error and each edge; run to here gives a node's ports", async () => {
    const api = await pinnedShop();
    const r = await api.call('POST', '/api/pipelines/shop/preview/debug', {});
    expect(r.status).toBe(200);
    expect(r.json.samples).toEqual({ in: 'pinned' });
    const edges = r.json.edges as Record<string, { count: number; events: Record<string, unknown>[] }>;
    expect(Object.fromEntries(Object.entries(edges).map(([k, v]) => [k, v.count]))).toEqual({ e1: 4, e2: 3, e3: 2, e4: 1 });
    expect(edges.e3!.events.map((e) => [e.sku, e.total])).toEqual([
      ['B', 200],
      ['D', 100],
    ]);
    expect(edges.e4!.events).toEqual([
      { sku: 'C', quantity: 'many', price: 10, ts: 3000, _error: expect.objectContaining({ node: 'total', code: 'expr-eval' }) },
    ]);
    expect(r.json.errors).toEqual({ total: 1 });

    const to = await api.call('POST', '/api/pipelines/shop/preview/debug', { until: 'total', document: shop(100) });
    expect(to.status).toBe(200);
    const ports = (to.json.until as { nodeId: string; ports: Record<string, { count: number; events: Record<string, unknown>[] }> }).ports;
    expect(ports.out!.events.map((e) => e.total)).toEqual([60, 200, 100]);
    expect(ports.error!.count).toBe(1);
    // Only the node and what feeds it ran.
    expect(Object.keys(to.json.edges as object)).toEqual(['e1']);
    expect((await api.call('POST', '/api/pipelines/shop/preview/debug', { until: 'ghost' })).status).toBe(422);
  });

  it('previews a generator on its own first events when nothing is recorded or pinned', async () => {
    const api = testApi();
    const doc = {
      format: 'sluice/v1',
      id: 'gen',
      nodes: [
        { id: 'orders', type: 'source.generator', config: { scenario: 'orders', rate: 5, seed: 1 } },
        { id: 'few', type: 'source.generator', config: { scenario: 'sensors', rate: 5, seed: 1, count: 7 } },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'orders', target: 'out' },
        { id: 'e2', source: 'few', target: 'out' },
      ],
    };
    expect((await api.call('POST', '/api/pipelines', doc)).status).toBe(201);
    const r = await api.call('POST', '/api/pipelines/gen/preview', {});
    expect(r.status).toBe(200);
    expect(r.json.samples).toEqual({ orders: 'generator', few: 'generator' });
    // 200 of the unbounded one (the sample size), all 7 of the bounded one.
    expect(r.json.recording).toEqual({ events: 207, sources: { orders: 200, few: 7 } });
    expect(r.json.diff.out).toMatchObject({ unchanged: 207 });
    // A generator that cannot run: the draft's diagnostics, not a failed sample.
    const bad = { ...doc, nodes: [{ ...doc.nodes[0]!, config: { scenario: 'nope' } }, doc.nodes[1]!, doc.nodes[2]!] };
    const refused = await api.call('POST', '/api/pipelines/gen/preview', { document: bad });
    expect(refused.status).toBe(422);
    expect(refused.json.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ nodeId: 'orders' })]));
  });

  it('makes a test case from the pinned events, and gates a rollback that deploys by the cases', async () => {
    const api = await pinnedShop(100, { requireTestsOnDeploy: true });
    const made = await api.call('POST', '/api/pipelines/shop/tests', { name: 'pinned-orders' });
    expect(made.status).toBe(201);
    expect(made.json.case).toEqual({ name: 'pinned-orders', inputs: { in: 4 }, expected: { out: 2, bad: 1 } });
    // Version 2 raises the threshold; version 3 goes back to 100, and runs.
    expect((await api.call('PUT', '/api/pipelines/shop', shop(150, { requireTestsOnDeploy: true }))).status).toBe(200);
    expect((await api.call('PUT', '/api/pipelines/shop', shop(100, { requireTestsOnDeploy: true }))).status).toBe(200);
    mkdirSync(join(api.dataDir, 'files'), { recursive: true });
    writeFileSync(join(api.dataDir, 'files', 'orders.jsonl'), `${JSONL}\n`);
    expect((await api.call('POST', '/api/pipelines/shop/deploy')).status).toBe(200);
    await waitFor(async () => (await api.call('GET', '/api/pipelines/shop/status')).json.status === 'completed');

    const refused = await api.call('POST', '/api/pipelines/shop/rollback', { version: 2 });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('tests-failed');
    expect(refused.json.error.message).toContain('rollback refused: 1 of 1 test case does not pass');
    const [failing] = refused.json.error.details as { name: string; differences: { sink: string; kind: string }[] }[];
    expect(failing!.name).toBe('pinned-orders');
    expect(failing!.differences).toEqual([expect.objectContaining({ sink: 'out', kind: 'missing' })]);
    // Nothing was stored.
    expect((await api.call('GET', '/api/pipelines/shop/versions')).json.current).toBe(4);

    const ok = await api.call('POST', '/api/pipelines/shop/rollback', { version: 1 });
    expect(ok.status).toBe(200);
    expect(ok.json.deployed).toBe(true);
  });
});
