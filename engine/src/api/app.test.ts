/** The app as a whole: system routes, the error shape, limits, CORS, the OpenAPI description. */
import { afterEach, describe, expect, it } from 'vitest';
import { OPENAPI } from './openapi.js';
import { closeTestApis, generatorDoc, testApi } from './test-support.js';

afterEach(closeTestApis);

describe('API app', () => {
  it('health and readiness', async () => {
    const { call } = testApi();
    expect((await call('GET', '/healthz')).json).toEqual({ ok: true });
    expect((await call('GET', '/readyz')).json).toEqual({ ready: true, engine: 'embedded' });
  });

  it('readiness follows the ready() callback (e.g. Redis down) and shutdown', async () => {
    let up = false;
    const { call, deployments } = testApi({ ready: async () => up });
    const down = await call('GET', '/readyz');
    expect(down.status).toBe(503);
    expect(down.json.error.code).toBe('not-ready');
    up = true;
    expect((await call('GET', '/readyz')).status).toBe(200);
    await deployments.close();
    expect((await call('GET', '/readyz')).status).toBe(503);
  });

  it('unknown routes are 404 with the error shape', async () => {
    const { call } = testApi();
    for (const [m, p] of [
      ['GET', '/api/nothing-here'],
      ['POST', '/api/node-types'],
      ['GET', '/elsewhere'],
    ] as const) {
      const r = await call(m, p);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.json.error).toMatchObject({ code: 'not-found', message: expect.any(String) });
    }
  });

  it('refuses a body above the limit with 413 before parsing it, on every API route', async () => {
    const { call } = testApi({ maxBodyBytes: 1000 });
    const big = { ...generatorDoc(), description: 'x'.repeat(5000) };
    for (const [m, p] of [
      ['POST', '/api/pipelines'],
      ['PUT', '/api/pipelines/live'],
      ['POST', '/api/ingest/live/orders'],
    ] as const) {
      const r = await call(m, p, big);
      expect(r.status, `${m} ${p}`).toBe(413);
      expect(r.json.error.code).toBe('too-large');
    }
    expect((await call('POST', '/api/pipelines', generatorDoc())).status).toBe(201);
  });

  it('the default limit takes a large document (5 MiB documents are allowed)', async () => {
    const { call } = testApi();
    const r = await call('POST', '/api/pipelines', { ...generatorDoc(), description: 'x'.repeat(3 * 1024 * 1024) });
    expect(r.status).toBe(201);
  });

  it('sends no CORS headers by default, and only for the configured origins when set', async () => {
    const closed = testApi();
    const res = await closed.app.request('/api/pipelines', { headers: { origin: 'http://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await closed.app.request('/api/pipelines', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();

    const open = testApi({ corsOrigins: ['https://ops.example'] });
    const ok = await open.app.request('/api/pipelines', { headers: { origin: 'https://ops.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    const other = await open.app.request('/api/pipelines', { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves an OpenAPI 3.1 description that names every route the app has', async () => {
    const { app, call } = testApi();
    const api = (await call('GET', '/api/openapi.json')).json;
    expect(api.openapi).toBe('3.1.0');
    const routes = app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
      .filter((r) => !r.endsWith('/*'));
    expect(routes.length).toBeGreaterThan(15);
    for (const r of new Set(routes)) {
      const [method, path] = r.split(' ') as [string, string];
      expect(api.paths[path]?.[method], r).toBeDefined();
    }
    // ...and nothing that does not exist.
    for (const [path, ops] of Object.entries(OPENAPI.paths))
      for (const method of Object.keys(ops).filter((k) => k !== 'parameters'))
        expect(routes, `${method} ${path}`).toContain(`${method} ${path}`);
  });
});
