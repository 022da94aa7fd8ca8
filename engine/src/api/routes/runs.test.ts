import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, fileCopyDoc, generatorDoc, testApi } from '../test-support.js';

afterEach(closeTestApis);

describe('validate, deploy, stop, status', () => {
  it('validate lists every diagnostic; deploy of an invalid pipeline is refused with 422 and per-node details', async () => {
    const { call } = testApi();
    const doc = generatorDoc('draft');
    doc.nodes[1]!.config = { expression: 'quantity >' };
    doc.edges.push({ id: 'e3', source: 'big', target: 'ghost' });
    await call('POST', '/api/pipelines', doc);
    const v = await call('POST', '/api/pipelines/draft/validate');
    expect(v.json.valid).toBe(false);
    expect(v.json.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'big', path: 'config.expression', severity: 'error' }),
        expect.objectContaining({ edgeId: 'e3', severity: 'error' }),
      ]),
    );
    const d = await call('POST', '/api/pipelines/draft/deploy');
    expect(d.status).toBe(422);
    expect(d.json.error.code).toBe('invalid-document');
    expect(d.json.error.details).toContainEqual(expect.objectContaining({ nodeId: 'big', path: 'config.expression' }));
    expect((await call('GET', '/api/pipelines/draft/status')).json.status).toBe('not-deployed');
    expect((await call('GET', '/api/pipelines/draft/versions')).json.versions).toHaveLength(1);
  });

  it('a missing input file is a 422 naming node and path (not a 500); uploaded, the deploy runs', async () => {
    const { call } = testApi({ confine: true });
    await call('POST', '/api/pipelines', fileCopyDoc('fileread', 'orders.jsonl', 'copy.jsonl'));
    const d = await call('POST', '/api/pipelines/fileread/deploy');
    expect(d.status, d.text).toBe(422);
    expect(d.json.error.code).toBe('input-missing');
    expect(d.json.error.message).toContain('in: config.path: input file "orders.jsonl" does not exist');
    expect(d.json.error.details).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'input-missing',
        nodeId: 'in',
        path: 'config.path',
        message: expect.stringContaining('upload it with PUT /api/files/orders.jsonl'),
      }),
    ]);
    // validate warns (a draft may name a file still to be uploaded); the output file is not an input.
    const v = await call('POST', '/api/pipelines/fileread/validate');
    expect(v.json).toMatchObject({
      valid: true,
      diagnostics: [expect.objectContaining({ severity: 'warning', code: 'input-missing', nodeId: 'in' })],
    });
    expect((await call('PUT', '/api/files/orders.jsonl', '{"ts":1,"n":1}\n', { 'content-type': 'application/octet-stream' })).status).toBe(
      201,
    );
    expect((await call('POST', '/api/pipelines/fileread/deploy')).status).toBe(200);
  });

  it('deploys, reports status with the deployment record, stops (409 when not deployed)', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    expect((await call('POST', '/api/pipelines/live/stop')).status).toBe(409);
    const dep = await call('POST', '/api/pipelines/live/deploy', undefined, { 'x-sluice-user': 'ops' });
    expect(dep.status).toBe(200);
    expect(dep.json).toMatchObject({ status: 'running', engine: 'embedded', deployment: { version: 2, author: 'ops' } });
    const st = (await call('GET', '/api/pipelines/live/status')).json;
    expect(st).toMatchObject({
      status: 'running',
      engine: 'embedded',
      deployment: { version: 2 },
      metrics: { nodes: { orders: expect.any(Object) } },
    });
    expect((await call('GET', '/api/pipelines')).json.pipelines[0].status).toBe('running');
    // Deploying again replaces the run.
    expect((await call('POST', '/api/pipelines/live/deploy')).json.status).toBe('running');
    expect((await call('POST', '/api/pipelines/live/stop')).json).toEqual({ status: 'stopped' });
    expect((await call('GET', '/api/pipelines/live/status')).json).toMatchObject({ status: 'not-deployed', deployment: null });
  });

  it('deploy applies param overrides; an out-of-bounds or unknown one is 422; a bad body 400', async () => {
    const { call, deployments } = testApi();
    const doc = { ...generatorDoc('p'), params: { min_q: { type: 'number', value: 1, min: 0, max: 5 } } };
    doc.nodes[1]!.config = { expression: 'quantity >= params.min_q' };
    await call('POST', '/api/pipelines', doc);
    const bad = await call('POST', '/api/pipelines/p/deploy', { params: { min_q: 50 } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details).toContainEqual(expect.objectContaining({ path: 'params.min_q' }));
    expect((await call('POST', '/api/pipelines/p/deploy', '{"params": ')).status).toBe(400);
    expect((await call('POST', '/api/pipelines/p/deploy', { params: [1] })).json.error.code).toBe('invalid-body');
    expect((await call('POST', '/api/pipelines/p/deploy', [])).status).toBe(400);
    const ok = await call('POST', '/api/pipelines/p/deploy', { params: { min_q: 3 } });
    expect(ok.status).toBe(200);
    expect(ok.json.deployment.params).toEqual({ min_q: 3 });
    expect(deployments.handle('p')!.status()).toBe('running');
  });

  it('refuses to deploy file paths outside the allowed folders, naming node and path', async () => {
    const { call, dataDir } = testApi({ confine: true });
    const doc = generatorDoc('escape');
    doc.nodes[2]!.config = { path: '../../../tmp/evil.jsonl' };
    await call('POST', '/api/pipelines', doc);
    const v = (await call('POST', '/api/pipelines/escape/validate')).json;
    expect(v.valid).toBe(false);
    expect(v.diagnostics).toContainEqual(expect.objectContaining({ code: 'path-outside', nodeId: 'out', path: 'config.path' }));
    const d = await call('POST', '/api/pipelines/escape/deploy');
    expect(d.status).toBe(422);
    expect(d.json.error.details).toContainEqual(expect.objectContaining({ code: 'path-outside', nodeId: 'out' }));
    // The store itself is out of reach too: a pipeline cannot overwrite another's document.
    doc.nodes[2]!.config = { path: join(dataDir, 'pipelines', 'escape', 'current.json') };
    await call('PUT', '/api/pipelines/escape', doc);
    expect((await call('POST', '/api/pipelines/escape/deploy')).status).toBe(422);
    await call('POST', '/api/pipelines', generatorDoc('inside'));
    expect((await call('POST', '/api/pipelines/inside/deploy')).status).toBe(200);
    await call('POST', '/api/pipelines/inside/stop');
  });
});
