import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, generatorDoc, testApi } from '../test-support.js';

afterEach(closeTestApis);

describe('/api/pipelines', () => {
  it('creates, lists, gets, updates (a new version) and deletes', async () => {
    const { call } = testApi();
    expect((await call('GET', '/api/pipelines')).json).toEqual({ pipelines: [] });
    const created = await call('POST', '/api/pipelines', generatorDoc(), { 'x-sluice-user': 'ana' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/pipelines/live');
    expect(created.json).toMatchObject({ valid: true, diagnostics: [], pipeline: { id: 'live', version: 1 } });
    expect((await call('POST', '/api/pipelines', generatorDoc())).status).toBe(409);
    expect((await call('GET', '/api/pipelines')).json.pipelines).toEqual([
      expect.objectContaining({ id: 'live', name: 'Live orders', version: 1, nodes: 3, status: 'not-deployed' }),
    ]);
    const saved = await call('PUT', '/api/pipelines/live?note=rename', { ...generatorDoc(), name: 'Renamed' }, { 'x-sluice-user': 'bo' });
    expect(saved.json).toMatchObject({ valid: true, pipeline: { version: 2 } });
    const got = await call('GET', '/api/pipelines/live');
    expect(got.json).toMatchObject({ valid: true, status: 'not-deployed', pipeline: { version: 2, document: { name: 'Renamed' } } });
    expect((await call('DELETE', '/api/pipelines/live')).json).toEqual({ deleted: 'live' });
    expect((await call('GET', '/api/pipelines/live')).status).toBe(404);
    expect((await call('DELETE', '/api/pipelines/live')).status).toBe(404);
  });

  it('stores the document as written (defaults stay implicit) under the id it names', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc('as-written'));
    const doc = (await call('GET', '/api/pipelines/as-written')).json.pipeline.document;
    expect(doc.nodes[2].config).toEqual({ path: 'orders.jsonl' });
  });

  it('derives an id from the name when the document has none', async () => {
    const { call } = testApi();
    const { id: _id, ...doc } = generatorDoc();
    const r = await call('POST', '/api/pipelines', { ...doc, name: '  Fraud Rules (EU)!' });
    expect(r.json.pipeline.id).toBe('fraud-rules-eu');
  });

  it('keeps an invalid draft and reports every per-node error', async () => {
    const { call } = testApi();
    const doc = generatorDoc('draft');
    doc.nodes[1]!.config = { expression: 'quantity >' };
    doc.nodes[2]!.config = {};
    const r = await call('POST', '/api/pipelines', doc);
    expect(r.status).toBe(201);
    expect(r.json.valid).toBe(false);
    expect(r.json.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'big', path: 'config.expression', severity: 'error' }),
        expect.objectContaining({ nodeId: 'out', path: 'config.path', severity: 'error' }),
      ]),
    );
    const got = await call('GET', '/api/pipelines/draft');
    expect(got.json.valid).toBe(false);
    expect(got.json.diagnostics.length).toBe(r.json.diagnostics.length);
  });

  it('refuses what is not a document: malformed JSON 400, empty 400, wrong shape or format 422 with details', async () => {
    const { call } = testApi();
    const bad = await call('POST', '/api/pipelines', '{ "format": ');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'malformed-json', message: expect.stringContaining('not valid JSON') });
    expect((await call('POST', '/api/pipelines', '')).json.error.code).toBe('empty-body');
    const notDoc = await call('POST', '/api/pipelines', { hello: 'world' });
    expect(notDoc.status).toBe(422);
    expect(notDoc.json.error.code).toBe('invalid-document');
    expect(notDoc.json.error.details).toContainEqual(expect.objectContaining({ code: 'unsupported-format', path: 'format' }));
    expect((await call('POST', '/api/pipelines', [1, 2])).status).toBe(422);
    expect((await call('POST', '/api/pipelines', { ...generatorDoc(), format: 'sluice/v9' })).status).toBe(422);
    expect((await call('POST', '/api/pipelines', { ...generatorDoc(), id: 'Bad Id' })).status).toBe(422);
    expect((await call('GET', '/api/pipelines')).json.pipelines).toEqual([]);
  });

  it('PUT: unknown pipeline 404, malformed JSON 400, not a document 422', async () => {
    const { call } = testApi();
    expect((await call('PUT', '/api/pipelines/nope', generatorDoc())).status).toBe(404);
    await call('POST', '/api/pipelines', generatorDoc());
    expect((await call('PUT', '/api/pipelines/live', '{nope')).status).toBe(400);
    expect((await call('PUT', '/api/pipelines/live', { nodes: 3 })).status).toBe(422);
    expect((await call('GET', '/api/pipelines/live')).json.pipeline.version).toBe(1);
  });

  it('checks ids in paths: 400 for an id outside the format, 404 for an unknown one', async () => {
    const { call } = testApi();
    for (const path of ['/api/pipelines/Bad_Id', '/api/pipelines/..%2F..%2Fetc', `/api/pipelines/${'a'.repeat(65)}`]) {
      const r = await call('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.json.error.code).toBe('invalid-id');
    }
    for (const [m, p] of [
      ['GET', '/api/pipelines/nope'],
      ['POST', '/api/pipelines/nope/deploy'],
      ['POST', '/api/pipelines/nope/stop'],
      ['POST', '/api/pipelines/nope/validate'],
      ['GET', '/api/pipelines/nope/status'],
      ['GET', '/api/pipelines/nope/versions'],
      ['GET', '/api/pipelines/nope/metrics'],
      ['GET', '/api/pipelines/nope/taps/e1'],
    ] as const) {
      const r = await call(m, p);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.json.error.code).toBe('not-found');
    }
  });

  it('a valid document without edges (they default to []) is stored normalised on POST and PUT, and diffs', async () => {
    const { call, store } = testApi();
    const { edges: _e, ...lone } = { ...generatorDoc('lone'), nodes: [{ id: 'c', type: 'sink.console', config: {} }] };
    const created = await call('POST', '/api/pipelines', lone);
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ valid: true, pipeline: { version: 1, document: { edges: [] } } });
    const saved = await call('PUT', '/api/pipelines/lone', { ...lone, name: 'Lone' });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.json.pipeline.document.edges).toEqual([]);
    // A document stored without edges by an earlier server still lists, saves over and diffs.
    const { edges: _g, ...old } = generatorDoc('old');
    await store.put('old', old as never, { author: 'x', action: 'create' });
    expect((await call('GET', '/api/pipelines')).status).toBe(200);
    expect((await call('PUT', '/api/pipelines/old', generatorDoc('old'))).status).toBe(200);
    const diff = await call('GET', '/api/pipelines/old/versions/1/diff/2');
    expect(diff.status, diff.text).toBe(200);
    expect(diff.json.diff.edges.added).toEqual(['orders.out -> big.in', 'big.out -> out.in']);
    const audit = await call('GET', '/api/audit?pipeline=lone');
    expect(audit.json.entries.map((e: { summary: string[] }) => e.summary)).toEqual([['name Live orders -> Lone'], ['1 nodes, 0 edges']]);
  });

  it('exports a document (references, never secret values) and imports it back under a fresh id', async () => {
    const { call } = testApi();
    process.env.SLUICE_SECRET_H8_EXPORT = 'export-canary-value';
    try {
      const doc = { ...generatorDoc(), description: 'pasted export-canary-value by mistake' };
      const ref = ['$', '{env:MQTT_URL}'].join('');
      doc.nodes.push({ id: 'mq', type: 'sink.mqtt', config: { url: ref, topic: 't' } as Record<string, unknown> });
      doc.edges.push({ id: 'e3', source: 'big', target: 'mq' });
      await call('POST', '/api/pipelines', doc);
      const ex = await call('GET', '/api/pipelines/live/export');
      expect(ex.status).toBe(200);
      expect(ex.headers.get('content-disposition')).toBe('attachment; filename="live.json"');
      expect(ex.json).toMatchObject({ format: 'sluice/v1', id: 'live', name: 'Live orders' });
      expect(ex.json.nodes[3].config.url).toBe(ref);
      expect(ex.text).not.toContain('export-canary-value');
      // Import: the id is taken, so the copy takes the next free one, as the editor does.
      const first = await call('POST', '/api/pipelines?action=import', ex.json);
      expect(first.status).toBe(201);
      expect(first.json.pipeline).toMatchObject({ id: 'live-2', document: { id: 'live-2' } });
      expect(first.headers.get('location')).toBe('/api/pipelines/live-2');
      expect((await call('POST', '/api/pipelines?action=import', ex.json)).json.pipeline.id).toBe('live-3');
      expect((await call('GET', '/api/pipelines/live-2/versions')).json.versions[0].action).toBe('import');
      // A plain create still says the id is taken.
      expect((await call('POST', '/api/pipelines', ex.json)).status).toBe(409);
      expect((await call('GET', '/api/pipelines/ghost/export')).status).toBe(404);
    } finally {
      delete process.env.SLUICE_SECRET_H8_EXPORT;
    }
  });

  it('DELETE stops a running pipeline first', async () => {
    const { call, deployments } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    await call('POST', '/api/pipelines/live/deploy');
    const h = deployments.handle('live')!;
    expect((await call('DELETE', '/api/pipelines/live')).status).toBe(200);
    expect(h.status()).toBe('stopped');
    expect(deployments.handle('live')).toBeUndefined();
  });
});
