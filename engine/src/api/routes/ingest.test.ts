import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, testApi, waitFor } from '../test-support.js';
import { parseRecords } from './ingest.js';

afterEach(closeTestApis);

const httpDoc = (maxBuffered: number, format?: string) => ({
  format: 'sluice/v1',
  id: 'inbound',
  nodes: [
    { id: 'http', type: 'source.http', config: { maxBuffered, timeField: 'ts', ...(format ? { format } : {}) } },
    { id: 'out', type: 'sink.file', config: { path: 'inbound.jsonl' } },
  ],
  edges: [{ id: 'e1', source: 'http', target: 'out' }],
});

describe('POST /api/ingest/:pipelineId/:nodeId', () => {
  it('accepts a JSON object, a JSON array and NDJSON (202), and the events reach the sink in order', async () => {
    const { call, app, dataDir } = testApi();
    await call('POST', '/api/pipelines', httpDoc(100));
    await call('POST', '/api/pipelines/inbound/deploy');
    expect((await call('POST', '/api/ingest/inbound/http', { ts: 1, a: 1 })).json).toEqual({ accepted: 1 });
    const arr = await call('POST', '/api/ingest/inbound/http', [
      { ts: 2, a: 2 },
      { ts: 3, a: 3 },
    ]);
    expect(arr.status).toBe(202);
    expect(arr.json).toEqual({ accepted: 2 });
    const nd = await app.request('/api/ingest/inbound/http', {
      method: 'POST',
      body: '{"ts":4,"a":4}\n\n{"ts":5,"a":5}\n',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(nd.status).toBe(202);
    expect(await nd.json()).toEqual({ accepted: 2 });
    // NDJSON sent with a form content-type (curl --data-binary @file) is read too.
    const curl = await app.request('/api/ingest/inbound/http', {
      method: 'POST',
      body: '{"ts":6,"a":6}\n{"ts":7,"a":7}',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await curl.json()).toEqual({ accepted: 2 });
    await waitFor(async () => ((await call('GET', '/api/pipelines/inbound/status')).json.metrics?.nodes.out.in ?? 0) >= 7);
    await call('POST', '/api/pipelines/inbound/stop');
    const lines = readFileSync(join(dataDir, 'files', 'inbound.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.a)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('429 with Retry-After when the inbox cannot take the whole request; nothing of it is taken', async () => {
    const { call, deployments } = testApi();
    await call('POST', '/api/pipelines', httpDoc(5));
    await call('POST', '/api/pipelines/inbound/deploy');
    // 6 records never fit an inbox of 5, however fast the source drains it.
    const full = await call(
      'POST',
      '/api/ingest/inbound/http',
      Array.from({ length: 6 }, (_, i) => ({ ts: i })),
    );
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('1');
    expect(full.json.error.code).toBe('backpressure');
    expect(deployments.ingest!.waiting('inbound', 'http')).toBe(0);
    expect(
      (
        await call(
          'POST',
          '/api/ingest/inbound/http',
          Array.from({ length: 5 }, (_, i) => ({ ts: i })),
        )
      ).status,
    ).toBe(202);
  });

  it('404 unknown pipeline or node, 400 for a node that is not source.http or a bad id, 409 when not deployed', async () => {
    const { call } = testApi();
    expect((await call('POST', '/api/ingest/nope/http', { ts: 1 })).status).toBe(404);
    await call('POST', '/api/pipelines', httpDoc(10));
    const notDeployed = await call('POST', '/api/ingest/inbound/http', { ts: 1 });
    expect(notDeployed.status).toBe(409);
    expect(notDeployed.json.error.code).toBe('not-deployed');
    await call('POST', '/api/pipelines/inbound/deploy');
    expect((await call('POST', '/api/ingest/inbound/nope', { ts: 1 })).status).toBe(404);
    expect((await call('POST', '/api/ingest/inbound/out', { ts: 1 })).json.error.code).toBe('not-ingestible');
    expect((await call('POST', '/api/ingest/inbound/bad%20id', { ts: 1 })).status).toBe(400);
    expect((await call('POST', '/api/ingest/inbound/http', '{bad')).json.error.code).toBe('malformed-json');
    expect((await call('POST', '/api/ingest/inbound/http', '')).json.error.code).toBe('empty-body');
    await call('POST', '/api/pipelines/inbound/stop');
    expect((await call('POST', '/api/ingest/inbound/http', { ts: 1 })).status).toBe(409);
  });
});

describe('parseRecords', () => {
  it('follows the node format over the content type, and names the bad NDJSON line', () => {
    expect(parseRecords('{"a":1}\n{"a":2}', 'application/json', 'ndjson')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(() => parseRecords('{"a":1}\n{"a":2}', 'application/x-ndjson', 'json')).toThrow(/not valid JSON/);
    expect(() => parseRecords('{"a":1}\n{oops', 'application/x-ndjson', 'auto')).toThrow(/line 2/);
    expect(parseRecords('[1, 2]', '', 'auto')).toEqual([1, 2]);
  });
});
