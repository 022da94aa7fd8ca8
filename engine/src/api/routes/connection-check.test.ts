/** Check connection through the API, against the real Redis (127.0.0.1:6379 or REDIS_URL). */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} references are written as users write them
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, testApi } from '../test-support.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const stream = `${TEST_KEY_ROOT}-check-${randomUUID().slice(0, 8)}`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
afterEach(closeTestApis);
afterAll(async () => {
  await redis.del(stream);
  await redis.quit();
});

const doc = () => ({
  format: 'sluice/v1',
  id: 'feed',
  nodes: [
    { id: 'in', type: 'source.redis-stream', config: { url: REDIS_URL, stream, start: 'earliest' } },
    { id: 'big', type: 'filter', config: { expression: 'amount > 10' } },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'big' },
    { id: 'e2', source: 'big', target: 'out' },
  ],
});

describe('POST /api/pipelines/:id/nodes/:node/check', () => {
  it('connects with the stored config and says what it found', async () => {
    await redis.xadd(stream, '*', 'data', JSON.stringify({ amount: 12 }));
    const { call } = testApi();
    await call('POST', '/api/pipelines', doc());
    const r = await call('POST', '/api/pipelines/feed/nodes/in/check');
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ ok: true, message: expect.stringContaining(`stream ${stream} holds 1 entr`) });
  });

  it("checks the editor's unsaved config: an unreachable one fails, naming the url", async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', doc());
    const r = await call('POST', '/api/pipelines/feed/nodes/in/check', { config: { url: 'redis://127.0.0.1:1/0', stream } });
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(false);
    expect(r.json.message).toContain('redis://127.0.0.1:1/0');
  });

  it('names a ${env:...} variable the server does not have, and never connects', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', doc());
    const r = await call('POST', '/api/pipelines/feed/nodes/in/check', { config: { url: '${env:SLUICE_TEST_NO_SUCH_URL}', stream } });
    expect(r.json).toMatchObject({
      ok: false,
      message: expect.stringContaining('the environment variable SLUICE_TEST_NO_SUCH_URL is not set'),
    });
  });

  it('refuses an invalid config with its diagnostics, a node without a connection, and an unknown node', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', doc());
    const bad = await call('POST', '/api/pipelines/feed/nodes/in/check', { config: { url: 'http://cache:6379', stream } });
    expect(bad.status).toBe(422);
    expect((bad.json.error as { details: unknown[] }).details).toEqual([expect.objectContaining({ nodeId: 'in', path: 'config.url' })]);
    const filter = await call('POST', '/api/pipelines/feed/nodes/big/check');
    expect(filter.status).toBe(400);
    expect((filter.json.error as { message: string }).message).toBe('node "big" is a filter: only connectors have a connection to check');
    expect((await call('POST', '/api/pipelines/feed/nodes/nope/check')).status).toBe(404);
  });
});
