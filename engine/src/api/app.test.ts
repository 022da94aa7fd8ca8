/** Every route, through app.request() (no port), on the real embedded runner and file store. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeploymentManager } from '../deployments/deployment-manager.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { IngestHub } from '../runtime/ingest-hub.js';
import { FileStore } from '../store/file-store.js';
import { createApp } from './app.js';

const managers: DeploymentManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
});

function setup(maxBodyBytes?: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-api-'));
  const store = new FileStore(dataDir);
  const deployments = new DeploymentManager({ store, runner: new EmbeddedRunner(), ingest: new IngestHub() });
  managers.push(deployments);
  const app = createApp({ store, deployments, dataDir, ...(maxBodyBytes ? { maxBodyBytes } : {}) });
  const call = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const res = await app.request(path, init);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json as Record<string, any>, text, headers: res.headers };
  };
  return { app, call, dataDir };
}

const generatorDoc = (id = 'live') => ({
  format: 'sluice/v1',
  id,
  name: 'Live orders',
  nodes: [
    { id: 'orders', type: 'source.generator', config: { scenario: 'orders', rate: 2000, seed: 1 } },
    { id: 'big', type: 'filter', config: { expression: 'quantity >= 1' } },
    { id: 'out', type: 'sink.file', config: { path: 'orders.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'orders', target: 'big' },
    { id: 'e2', source: 'big', target: 'out' },
  ],
});

/** Read server-sent events until `until` says stop (or the stream ends). */
async function readSse(res: Response, until: (data: any[]) => boolean, timeoutMs = 10_000): Promise<any[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: any[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !until(seen)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').find((l) => l.startsWith('data:'));
      if (data) seen.push(JSON.parse(data.slice(5)));
    }
  }
  await reader.cancel();
  return seen;
}

describe('API', () => {
  it('health, readiness, OpenAPI', async () => {
    const { call } = setup();
    expect((await call('GET', '/healthz')).json).toEqual({ ok: true });
    expect((await call('GET', '/readyz')).json).toMatchObject({ ready: true, engine: 'embedded' });
    const api = (await call('GET', '/api/openapi.json')).json;
    expect(api.openapi).toBe('3.1.0');
    expect(Object.keys(api.paths)).toContain('/api/pipelines/{id}/deploy');
  });

  it('GET /api/node-types: every type with ports, config schema, docs', async () => {
    const { call } = setup();
    const { json } = await call('GET', '/api/node-types');
    const window = json.nodeTypes.find((t: any) => t.type === 'window');
    expect(window).toMatchObject({ category: 'window', inputs: [{ name: 'in' }] });
    expect(window.outputs.map((p: any) => p.name)).toEqual(['out', 'late', 'error']);
    expect(window.configSchema.properties.type.enum).toEqual(['tumbling', 'sliding', 'session']);
    expect(window.docs.length).toBeGreaterThan(50);
    expect(json.nodeTypes.map((t: any) => t.type)).toEqual(expect.arrayContaining(['source.file', 'source.generator', 'filter', 'map', 'enrich', 'branch', 'sink.file', 'sink.console']));
  });

  it('creates, lists, gets, updates (a new version), and deletes pipelines', async () => {
    const { call } = setup();
    const created = await call('POST', '/api/pipelines', generatorDoc());
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ valid: true, pipeline: { id: 'live', version: 1 } });
    expect((await call('POST', '/api/pipelines', generatorDoc())).status).toBe(409);
    expect((await call('GET', '/api/pipelines')).json.pipelines).toEqual([expect.objectContaining({ id: 'live', name: 'Live orders', status: 'not-deployed' })]);
    const changed = { ...generatorDoc(), name: 'Renamed' };
    expect((await call('PUT', '/api/pipelines/live', changed)).json.pipeline.version).toBe(2);
    expect((await call('GET', '/api/pipelines/live')).json.pipeline.document.name).toBe('Renamed');
    const versions = (await call('GET', '/api/pipelines/live/versions')).json.versions;
    expect(versions.map((v: any) => v.action)).toEqual(['create', 'save']);
    expect((await call('GET', '/api/pipelines/live/versions/1')).json.document.name).toBe('Live orders');
    expect((await call('GET', '/api/pipelines/live/versions/7')).status).toBe(404);
    expect((await call('GET', '/api/pipelines/live/versions/1/diff/2')).json.diff.summary).toEqual(['name Live orders -> Renamed']);
    expect((await call('DELETE', '/api/pipelines/live')).status).toBe(200);
    expect((await call('GET', '/api/pipelines/live')).status).toBe(404);
  });

  it('refuses bad input with the error shape: malformed JSON, oversize body, not a document', async () => {
    const { call } = setup(1000);
    const bad = await call('POST', '/api/pipelines', '{ "format": ');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('malformed-json');
    const big = await call('POST', '/api/pipelines', { ...generatorDoc(), description: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('too-large');
    const notDoc = await call('POST', '/api/pipelines', { hello: 'world' });
    expect(notDoc.status).toBe(422);
    expect(notDoc.json.error.details.length).toBeGreaterThan(0);
  });

  it('unknown pipeline and unknown route are 404 with the error shape', async () => {
    const { call } = setup();
    for (const [m, p] of [
      ['GET', '/api/pipelines/nope'],
      ['POST', '/api/pipelines/nope/deploy'],
      ['GET', '/api/pipelines/nope/status'],
      ['GET', '/api/nothing-here'],
    ] as const) {
      const r = await call(m, p);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.json.error.code).toBe('not-found');
    }
    expect((await call('GET', '/api/pipelines/Bad_Id')).status).toBe(400);
  });

  it('stores an invalid draft with its per-node errors; validate lists them; deploy refuses it with 422', async () => {
    const { call } = setup();
    const doc = generatorDoc('draft');
    doc.nodes[1]!.config = { expression: 'quantity >' };
    const created = await call('POST', '/api/pipelines', doc);
    expect(created.status).toBe(201);
    expect(created.json.valid).toBe(false);
    const v = await call('POST', '/api/pipelines/draft/validate');
    expect(v.json.valid).toBe(false);
    expect(v.json.diagnostics).toContainEqual(expect.objectContaining({ nodeId: 'big', path: 'config.expression', severity: 'error' }));
    const d = await call('POST', '/api/pipelines/draft/deploy');
    expect(d.status).toBe(422);
    expect(d.json.error.code).toBe('invalid-document');
    expect(d.json.error.details).toContainEqual(expect.objectContaining({ nodeId: 'big' }));
  });

  it('deploys, streams live metrics with nonzero counts, shows a tap, exports Prometheus metrics, stops', async () => {
    const { app, call } = setup();
    await call('POST', '/api/pipelines', generatorDoc());
    const dep = await call('POST', '/api/pipelines/live/deploy');
    expect(dep.status).toBe(200);
    expect(dep.json).toMatchObject({ status: 'running', engine: 'embedded' });

    const metrics = await readSse(await app.request('/api/pipelines/live/metrics?intervalMs=200'), (seen) => seen.some((m) => m.metrics?.nodes.out.in > 0));
    const last = metrics[metrics.length - 1];
    expect(last.status).toBe('running');
    for (const node of ['orders', 'big', 'out']) expect(last.metrics.nodes[node].out + last.metrics.nodes[node].in).toBeGreaterThan(0);
    expect(last.metrics.edges.e2.events).toBeGreaterThan(0);

    const tap = await readSse(await app.request('/api/pipelines/live/taps/e2'), (seen) => seen.flat().length >= 5);
    expect(tap.flat()[0]).toHaveProperty('sku');
    expect((await call('GET', '/api/pipelines/live/taps/nope')).status).toBe(404);

    const prom = await call('GET', '/metrics');
    expect(prom.text).toMatch(/sluice_node_events_in_total\{pipeline="live",node="big"\} [1-9]/);
    expect(prom.text).toContain('sluice_stage_watermark_lag_seconds');

    expect((await call('GET', '/api/pipelines/live/status')).json.status).toBe('running');
    expect((await call('POST', '/api/pipelines/live/stop')).json.status).toBe('stopped');
    expect((await call('GET', '/api/pipelines/live/status')).json.status).toBe('not-deployed');
    expect((await call('POST', '/api/pipelines/live/stop')).status).toBe(409);
  });

  it('deploy applies param overrides and refuses an out-of-bounds one', async () => {
    const { call } = setup();
    const doc = { ...generatorDoc('p'), params: { min_q: { type: 'number', value: 1, min: 0, max: 5 } } };
    doc.nodes[1]!.config = { expression: 'quantity >= params.min_q' };
    await call('POST', '/api/pipelines', doc);
    const bad = await call('POST', '/api/pipelines/p/deploy', { params: { min_q: 50 } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details).toContainEqual(expect.objectContaining({ path: 'params.min_q' }));
    expect((await call('POST', '/api/pipelines/p/deploy', { params: { min_q: 3 } })).status).toBe(200);
    await call('POST', '/api/pipelines/p/stop');
  });

  it('sends no CORS headers by default', async () => {
    const { app } = setup();
    const res = await app.request('/api/pipelines', { headers: { origin: 'http://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('ingests posted events into a source.http node: JSON, NDJSON, 429 under backpressure, 404/409', async () => {
    const { call, app, dataDir } = setup();
    const doc = {
      format: 'sluice/v1',
      id: 'inbound',
      nodes: [
        { id: 'http', type: 'source.http', config: { maxBuffered: 5, timeField: 'ts' } },
        { id: 'out', type: 'sink.file', config: { path: 'inbound.jsonl' } },
      ],
      edges: [{ id: 'e1', source: 'http', target: 'out' }],
    };
    await call('POST', '/api/pipelines', doc);
    expect((await call('POST', '/api/ingest/inbound/http', [{ ts: 1 }])).status).toBe(409);
    await call('POST', '/api/pipelines/inbound/deploy');
    const ok = await call('POST', '/api/ingest/inbound/http', [{ ts: 1, a: 1 }, { ts: 2, a: 2 }]);
    expect(ok.status).toBe(202);
    expect(ok.json).toEqual({ accepted: 2 });
    const nd = await app.request('/api/ingest/inbound/http', { method: 'POST', body: '{"ts":3,"a":3}\n{"ts":4,"a":4}\n', headers: { 'content-type': 'application/x-ndjson' } });
    expect(nd.status).toBe(202);
    const full = await call('POST', '/api/ingest/inbound/http', Array.from({ length: 6 }, (_, i) => ({ ts: 10 + i })));
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('1');
    expect((await call('POST', '/api/ingest/inbound/nope', { ts: 1 })).status).toBe(404);
    expect((await call('POST', '/api/ingest/inbound/out', { ts: 1 })).status).toBe(400);
    expect((await call('POST', '/api/ingest/inbound/http', '{bad')).status).toBe(400);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && ((await call('GET', '/api/pipelines/inbound/status')).json.metrics?.nodes.out.in ?? 0) < 4) await new Promise((r) => setTimeout(r, 20));
    await call('POST', '/api/pipelines/inbound/stop');
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(join(dataDir, 'inbound.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { ts: 1, a: 1 },
      { ts: 2, a: 2 },
      { ts: 3, a: 3 },
      { ts: 4, a: 4 },
    ]);
  });
});
