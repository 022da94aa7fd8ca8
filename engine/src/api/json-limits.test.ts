/**
 * Depth and number limits at every door that reads JSON (docs/api.md "Limits"): a 100,000-deep
 * body used to answer 500 (a stack overflow in the validator), a deep ingest record 202 and then
 * a dead pipeline, and `1e400` was stored as null.
 */
import { MAX_DOCUMENT_DEPTH, MAX_RECORD_DEPTH } from '@sluice/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { authTestApi } from '../auth/auth-fixtures.js';
import { closeTestApis, generatorDoc, httpSourceDoc, testApi } from './test-support.js';

afterEach(closeTestApis);

const arrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
/** A document whose `description`-free extra field nests `n` arrays deep (1 more level for the document). */
const deepDoc = (n: number) => JSON.stringify(generatorDoc()).replace(/}$/, `,"extra":${arrays(n)}}`);
const httpDoc = httpSourceDoc();

describe('documents: depth limit at POST, PUT, import, preview, deploy', () => {
  it('a 100,000-deep document is 400 too-deep (not 500) on POST, import and PUT', async () => {
    const { call } = testApi();
    for (const path of ['/api/pipelines', '/api/pipelines?action=import']) {
      const r = await call('POST', path, deepDoc(100_000));
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'too-deep', message: expect.stringContaining(`the limit is ${MAX_DOCUMENT_DEPTH}`) });
    }
    expect((await call('POST', '/api/pipelines', generatorDoc())).status).toBe(201);
    expect((await call('PUT', '/api/pipelines/live', deepDoc(100_000))).json.error.code).toBe('too-deep');
    // At the limit exactly: the document object is level 1, so 63 more arrays make 64.
    expect((await call('PUT', '/api/pipelines/live', deepDoc(MAX_DOCUMENT_DEPTH - 1))).status).toBe(200);
    expect((await call('PUT', '/api/pipelines/live', deepDoc(MAX_DOCUMENT_DEPTH))).status).toBe(400);
  });

  it('preview: a deep draft is refused, and so is an uploaded event past the record limit', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', httpDoc);
    const deep = await call('POST', '/api/pipelines/inbound/preview', `{"document":${arrays(100_000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.json.error.code).toBe('too-deep');
    // 33 levels: the event object plus 32 arrays.
    const event = { ts: 1, d: JSON.parse(arrays(MAX_RECORD_DEPTH)) };
    const upload = await call('POST', '/api/pipelines/inbound/preview', { events: { http: [{ ts: 0 }, event] } });
    expect(upload.status).toBe(400);
    expect(upload.json.error).toMatchObject({ code: 'too-deep', message: expect.stringContaining('events.http[1]') });
  });

  it('a deep deploy body and a deep body from a business user (through the business guard) are 400, not 500', async () => {
    const api = await authTestApi();
    await api.as('admin', 'POST', '/api/pipelines', generatorDoc());
    expect((await api.as('admin', 'POST', '/api/pipelines/live/deploy', `{"params":${arrays(100_000)}}`)).json.error.code).toBe('too-deep');
    const business = await api.as('business', 'PUT', '/api/pipelines/live', deepDoc(100_000));
    expect(business.status).toBe(400);
    expect(business.json.error.code).toBe('too-deep');
  });

  it('1e400 is refused with 400 naming its path, not stored as null', async () => {
    const { call } = testApi();
    const text = JSON.stringify(generatorDoc()).replace('"rate":2000', '"rate":1e400');
    const r = await call('POST', '/api/pipelines', text);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'non-finite-number', message: expect.stringContaining('nodes[0].config.rate') });
    expect((await call('GET', '/api/pipelines/live')).status).toBe(404);
  });
});

describe('ingest: a record depth limit, the whole request refused', () => {
  it('refuses a 100,000-deep record with 400 naming the record, and the pipeline keeps running', async () => {
    const { call, app } = testApi();
    await call('POST', '/api/pipelines', httpDoc);
    await call('POST', '/api/pipelines/inbound/deploy');
    const one = await call('POST', '/api/ingest/inbound/http', `{"d":${arrays(100_000)}}`);
    expect(one.status).toBe(400);
    expect(one.json.error).toMatchObject({
      code: 'too-deep',
      message: expect.stringContaining(`record 0 nests deeper than ${MAX_RECORD_DEPTH} levels`),
    });
    // Record 1 of an array: the others are not taken either.
    const arr = await call('POST', '/api/ingest/inbound/http', `[{"ok":1},{"d":${arrays(MAX_RECORD_DEPTH)}},{"ok":2}]`);
    expect(arr.status).toBe(400);
    expect(arr.json.error.message).toContain('record 1 ');
    // At the limit: the record object plus 31 arrays is 32 levels.
    expect((await call('POST', '/api/ingest/inbound/http', `[{"d":${arrays(MAX_RECORD_DEPTH - 1)}}]`)).status).toBe(202);
    const nd = await app.request('/api/ingest/inbound/http', {
      method: 'POST',
      body: `{"ok":1}\n{"d":${arrays(50)}}\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(nd.status).toBe(400);
    expect(((await nd.json()) as { error: { message: string } }).error.message).toContain('record 1 (line 2)');
    const inf = await call('POST', '/api/ingest/inbound/http', '[{"a":1},{"a":1e400}]');
    expect(inf.json.error).toMatchObject({ code: 'non-finite-number', message: expect.stringContaining('record 1 ') });
    expect((await call('GET', '/api/pipelines/inbound/status')).json.status).toBe('running');
    expect((await call('POST', '/api/ingest/inbound/http', { ok: 3 })).status).toBe(202);
  });

  it('has a body size limit', async () => {
    const { call } = testApi({ maxBodyBytes: 1000 });
    await call('POST', '/api/pipelines', httpDoc);
    await call('POST', '/api/pipelines/inbound/deploy');
    const big = await call('POST', '/api/ingest/inbound/http', JSON.stringify([{ pad: 'x'.repeat(2000) }]));
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('too-large');
  });
});
