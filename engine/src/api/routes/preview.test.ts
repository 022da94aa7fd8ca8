import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, testApi, waitFor } from '../test-support.js';

afterEach(closeTestApis);

/** Orders per SKU per minute; price 11 when a SKU has at least `threshold` orders, else 10. */
const pricing = (threshold: number) => ({
  format: 'sluice/v1',
  id: 'pricing',
  name: 'Pricing',
  params: { threshold: { type: 'number', value: threshold, exposed: true, min: 0, max: 100 } },
  nodes: [
    { id: 'in', type: 'source.http', config: { timeField: 'ts' } },
    { id: 'w', type: 'window', config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'orders', op: 'count' }] } },
    { id: 'price', type: 'map', config: { set: { price: 'orders >= params.threshold ? 11 : 10' } } },
    { id: 'out', type: 'sink.file', config: { path: 'prices.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'w' },
    { id: 'e2', source: 'w', target: 'price' },
    { id: 'e3', source: 'price', target: 'out' },
  ],
});

// Minute 0: A x3, B x2, C x1; minute 1: A x1.
const sample = {
  in: [
    { sku: 'A', ts: 1000 },
    { sku: 'A', ts: 2000 },
    { sku: 'B', ts: 2500 },
    { sku: 'A', ts: 3000 },
    { sku: 'B', ts: 4000 },
    { sku: 'C', ts: 5000 },
    { sku: 'A', ts: 61_000 },
  ],
};

describe('POST /api/pipelines/:id/preview', () => {
  it('compares a saved draft with the version that last ran, also after a bounded run completed', async () => {
    const { call, dataDir } = testApi();
    const bounded = (threshold: number) => {
      const d = pricing(threshold);
      return { ...d, nodes: [{ id: 'in', type: 'source.file', config: { path: 'orders.jsonl', timeField: 'ts' } }, ...d.nodes.slice(1)] };
    };
    mkdirSync(join(dataDir, 'files'), { recursive: true });
    writeFileSync(join(dataDir, 'files', 'orders.jsonl'), `${sample.in.map((e) => JSON.stringify(e)).join('\n')}\n`);
    await call('POST', '/api/pipelines', bounded(3));
    expect((await call('POST', '/api/pipelines/pricing/deploy')).status).toBe(200);
    await waitFor(async () => (await call('GET', '/api/pipelines/pricing/status')).json.status === 'completed');
    // The analyst saves her draft (threshold 2) without deploying it, then previews it.
    expect((await call('PUT', '/api/pipelines/pricing', bounded(2))).status).toBe(200);
    const r = await call('POST', '/api/pipelines/pricing/preview', { events: sample });
    expect(r.status, r.text).toBe(200);
    expect(r.json.live.version).toBe(2); // create, deploy: the deploy's version, not her save
    expect([r.json.diff.out.unchanged, r.json.diff.out.changed]).toEqual([3, 1]);
  });

  it('runs the live version and the draft on an uploaded sample and pairs their outputs by window key', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', pricing(3));
    const r = await call('POST', '/api/pipelines/pricing/preview', { document: pricing(2), events: sample });
    expect(r.status, r.text).toBe(200);
    // Live (threshold 3): A@0 11, B@0 10, C@0 10, A@60000 10. Draft (2): only B@0 moves, to 11.
    expect(r.json.recording).toEqual({ events: 7, sources: { in: 7 } });
    expect(r.json.live.version).toBeNull();
    const live = r.json.live.outputs.out.map((e: any) => [e.sku, e.window_start, e.orders, e.price]);
    expect(live).toEqual(
      expect.arrayContaining([
        ['A', 0, 3, 11],
        ['B', 0, 2, 10],
        ['C', 0, 1, 10],
        ['A', 60_000, 1, 10],
      ]),
    );
    expect(live).toHaveLength(4);
    const d = r.json.diff.out;
    expect(d.key).toEqual(['sku', 'window_start']);
    expect([d.unchanged, d.changed, d.added, d.removed]).toEqual([3, 1, 0, 0]);
    expect(d.rows).toEqual([
      expect.objectContaining({
        key: 'sku="B", window_start=0',
        change: 'changed',
        fields: [{ field: 'price', before: 10, after: 11, delta: 1, pct: 10 }],
      }),
    ]);
    expect(d.biggestMoves).toEqual([{ key: 'sku="B", window_start=0', field: 'price', before: 10, after: 11, delta: 1, pct: 10 }]);
    expect(r.json.outcomes).toEqual({ changed: 1, total: 4 });
  });

  it('param overrides alone make a draft; nothing is written by a preview', async () => {
    const { call, dataDir } = testApi();
    await call('POST', '/api/pipelines', pricing(3));
    const r = await call('POST', '/api/pipelines/pricing/preview', { params: { threshold: 1 }, events: sample });
    // Threshold 1: every window is priced 11; B@0, C@0 and A@60000 change.
    expect(r.json.diff.out.changed).toBe(3);
    const { readdirSync } = await import('node:fs');
    expect(JSON.stringify(readdirSync(dataDir, { recursive: true }))).not.toContain('prices.jsonl');
  });

  it('refuses an invalid draft with its diagnostics, an empty recording, and events for a missing node', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', pricing(3));
    const bad = pricing(3);
    bad.nodes[2]!.config = { set: { price: 'orders >= ' } };
    const invalid = await call('POST', '/api/pipelines/pricing/preview', { document: bad, events: sample });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error.code).toBe('invalid-document');
    expect(invalid.json.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ nodeId: 'price', path: 'config.set.price' })]),
    );
    const none = await call('POST', '/api/pipelines/pricing/preview', {});
    expect(none.status).toBe(409);
    expect(none.json.error.code).toBe('no-recording');
    const wrong = await call('POST', '/api/pipelines/pricing/preview', { events: { nope: [] } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.message).toContain('events.nope');
    expect((await call('POST', '/api/pipelines/pricing/preview', { limit: 0 })).status).toBe(400);
    expect((await call('POST', '/api/pipelines/missing/preview', {})).status).toBe(404);
  });

  it("records a deployed pipeline's source events and previews on them", async () => {
    const { call } = testApi();
    const doc = {
      format: 'sluice/v1',
      id: 'gen',
      params: { min: { type: 'number', value: 1 } },
      nodes: [
        { id: 'orders', type: 'source.generator', config: { scenario: 'orders', count: 500, seed: 3 } },
        { id: 'keep', type: 'filter', config: { expression: 'quantity >= params.min' } },
        { id: 'out', type: 'sink.file', config: { path: 'gen.jsonl' } },
      ],
      edges: [
        { id: 'e1', source: 'orders', target: 'keep' },
        { id: 'e2', source: 'keep', target: 'out' },
      ],
    };
    await call('POST', '/api/pipelines', doc);
    expect((await call('POST', '/api/pipelines/gen/deploy')).status).toBe(200);
    await waitFor(async () => (await call('GET', '/api/pipelines/gen/status')).json.status === 'completed', 10_000);
    expect((await call('GET', '/api/pipelines/gen/recording')).json).toEqual({ events: 500, sources: { orders: 500 }, capacity: 10_000 });

    const same = await call('POST', '/api/pipelines/gen/preview', {});
    expect(same.status, same.text).toBe(200);
    const passed = same.json.live.outputs.out.length;
    expect(passed).toBeGreaterThan(0);
    expect(same.json.outcomes).toEqual({ changed: 0, total: passed });
    // The recorded events are the generated ones: a filter that passes nothing removes them all.
    const none = await call('POST', '/api/pipelines/gen/preview', { params: { min: 1_000_000 } });
    expect(none.json.draft.outputs.out).toEqual([]);
    expect(none.json.diff.out.removed).toBe(passed);
  });
});
