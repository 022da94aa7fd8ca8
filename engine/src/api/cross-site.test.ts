/**
 * Issue 10 item 2, as reported: in local-only mode a page on evil.example could create and
 * deploy a pipeline with a "simple" text/plain POST (201, 200), and a rebound Host was answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, generatorDoc, testApi } from './test-support.js';

afterEach(closeTestApis);

describe('cross-site requests and DNS rebinding (local-only mode)', () => {
  it('refuses the reported create, deploy and rebinding read; the same calls from the editor or curl work', async () => {
    const { app, call } = testApi();
    const evil = { origin: 'http://evil.example', 'content-type': 'text/plain' };
    const create = await app.request('http://127.0.0.1:8080/api/pipelines', {
      method: 'POST',
      body: JSON.stringify(generatorDoc()),
      headers: evil,
    });
    expect(create.status).toBe(403);
    expect((await call('GET', '/api/pipelines')).json.pipelines).toEqual([]);
    // The same text/plain body from a same-origin page is refused for its type.
    const plain = await app.request('http://127.0.0.1:8080/api/pipelines', {
      method: 'POST',
      body: JSON.stringify(generatorDoc()),
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    expect(
      (await call('POST', '/api/pipelines', generatorDoc(), { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(201);
    const deploy = await app.request('http://127.0.0.1:8080/api/pipelines/live/deploy', {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
    });
    expect(deploy.status).toBe(403);
    expect((await call('GET', '/api/pipelines/live/status')).json.status).toBe('not-deployed');
    const rebound = await app.request('http://rebind.attacker.example:8080/api/pipelines/live');
    expect(rebound.status).toBe(421);
    // curl: no Origin, no Sec-Fetch-Site, no body.
    expect((await app.request('http://127.0.0.1:8080/api/pipelines/live/deploy', { method: 'POST' })).status).toBe(200);
    await call('POST', '/api/pipelines/live/stop');
  });
});
