/**
 * Issue 10 item 5: one document must not be able to starve the server. A config that implies
 * unbounded work is refused before it runs; a heavy but valid pipeline on the embedded engine
 * shares the event loop, so the API keeps answering while it runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, testApi, waitFor } from './test-support.js';

afterEach(closeTestApis);

const slidingDoc = (size: string, slide: string) => ({
  format: 'sluice/v1',
  id: 'heavy',
  nodes: [
    { id: 'orders', type: 'source.generator', config: { scenario: 'orders', rate: 0, seed: 1 } },
    { id: 'win', type: 'window', config: { type: 'sliding', size, slide, keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }] } },
    { id: 'out', type: 'sink.file', config: { path: 'windows.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'orders', target: 'win' },
    { id: 'e2', source: 'win', target: 'out' },
  ],
});

describe('the work a document implies', () => {
  it('refuses a 1d window sliding every 1ms at deploy, naming the node, the path, the figure and the limit', async () => {
    const { call } = testApi();
    expect((await call('POST', '/api/pipelines', slidingDoc('1d', '1ms'))).status).toBe(201);
    const deploy = await call('POST', '/api/pipelines/heavy/deploy');
    expect(deploy.status).toBe(422);
    expect(deploy.json.error.details).toContainEqual(
      expect.objectContaining({
        nodeId: 'win',
        path: 'config.slide',
        code: 'too-much-work',
        message: 'a 1d window sliding every 1ms puts each event in 86,400,000 windows; the limit is 10,000',
      }),
    );
    expect((await call('GET', '/api/pipelines/heavy/status')).json.status).not.toBe('running');
    expect((await call('GET', '/healthz')).status).toBe(200);
  });

  it('keeps /healthz answering while a heavy valid pipeline runs on the embedded engine', async () => {
    const { call } = testApi();
    // 10s sliding every 1ms: 10,000 windows per event, the most a document may ask for; each new
    // sku creates 10,000 windows at once (a batch of 1,000 events would take many seconds here).
    await call('POST', '/api/pipelines', slidingDoc('10s', '1ms'));
    expect((await call('POST', '/api/pipelines/heavy/deploy')).status).toBe(200);
    const windowIn = async () => (await call('GET', '/api/pipelines/heavy/status')).json.metrics?.nodes.win.in ?? 0;
    // Interleaving, not timing: the health check answers between batches of the run, twice,
    // with the window's work going on in between.
    // Generous bounds: on a loaded 2-core machine (two suites side by side) a batch here can take
    // tens of seconds; the waits are for conditions, the bounds only stop a hung run.
    await waitFor(async () => (await windowIn()) > 0, 150_000);
    expect((await call('GET', '/healthz')).status).toBe(200);
    const before = await windowIn();
    await waitFor(async () => (await windowIn()) > before, 150_000);
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/api/pipelines/heavy/status')).json.status).toBe('running');
    expect((await call('POST', '/api/pipelines/heavy/stop')).status).toBe(200);
  }, 360_000);
});
