/** Live metrics (SSE), taps (SSE) and Prometheus text, on real runs of the embedded engine. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeTestApis, generatorDoc, readSse, testApi } from '../test-support.js';

afterEach(closeTestApis);

const bounded = (id: string) => {
  const doc = generatorDoc(id);
  doc.nodes[0]!.config = { scenario: 'orders', rate: 50_000, seed: 1, count: 500 };
  return doc;
};

describe('GET /api/pipelines/:id/metrics (SSE)', () => {
  it('streams nonzero counts for every node, edge, stage and sink of a running pipeline', async () => {
    const { app, call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    await call('POST', '/api/pipelines/live/deploy');
    const res = await app.request('/api/pipelines/live/metrics?intervalMs=200');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const seen = await readSse(res, (s) => s.some((m) => m.data.metrics?.nodes.out.in > 0));
    const last = seen[seen.length - 1]!;
    expect(last.event).toBe('metrics');
    expect(last.data.status).toBe('running');
    for (const node of ['orders', 'big', 'out'])
      expect(last.data.metrics.nodes[node].out + last.data.metrics.nodes[node].in, node).toBeGreaterThan(0);
    expect(last.data.metrics.edges.e2.events).toBeGreaterThan(0);
    expect(Object.keys(last.data.metrics.stages).length).toBeGreaterThan(0);
    expect(last.data.metrics.sinks.out.count).toBeGreaterThan(0);
  });

  it('sends about one message per interval', async () => {
    const { app, call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    await call('POST', '/api/pipelines/live/deploy');
    const t0 = Date.now();
    const seen = await readSse(await app.request('/api/pipelines/live/metrics?intervalMs=100'), (s) => s.length >= 4);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(seen.map((m) => m.event)).toEqual(['metrics', 'metrics', 'metrics', 'metrics']);
  });

  it('says not-deployed, then follows a deploy, then sends `end` with the final counts when the run completes', async () => {
    const { app, call } = testApi();
    await call('POST', '/api/pipelines', bounded('short'));
    const res = await app.request('/api/pipelines/short/metrics?intervalMs=100');
    let deployed = false;
    const seen = await readSse(res, (s) => {
      if (!deployed && s.length > 0) {
        deployed = true;
        void call('POST', '/api/pipelines/short/deploy');
      }
      return s.some((m) => m.event === 'end');
    });
    expect(seen[0]!.data).toEqual({ status: 'not-deployed' });
    const end = seen.find((m) => m.event === 'end')!;
    expect(end.data.status).toBe('completed');
    expect(end.data.metrics.nodes.orders.out).toBe(500);
  });

  it('sends `end` with status stopped when the pipeline is stopped', async () => {
    const { app, call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    await call('POST', '/api/pipelines/live/deploy');
    let stopped = false;
    const seen = await readSse(await app.request('/api/pipelines/live/metrics?intervalMs=100'), (s) => {
      if (!stopped && s.length >= 2) {
        stopped = true;
        void call('POST', '/api/pipelines/live/stop');
      }
      return s.some((m) => m.event === 'end');
    });
    expect(seen.find((m) => m.event === 'end')!.data.status).toBe('stopped');
  });

  it('ends when the pipeline is deleted', async () => {
    const { app, call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    let deleted = false;
    const seen = await readSse(await app.request('/api/pipelines/live/metrics?intervalMs=100'), (s) => {
      if (!deleted && s.length >= 1) {
        deleted = true;
        void call('DELETE', '/api/pipelines/live');
      }
      return false; // read until the server closes the stream
    });
    expect(seen[seen.length - 1]).toEqual({ event: 'end', data: { status: 'deleted' } });
  });
});

describe('GET /api/pipelines/:id/taps/:edgeId (SSE)', () => {
  it('delivers a bounded sample of the events on an edge, as small arrays', async () => {
    const { app, call } = testApi({ tapEventsPerSecond: 10 });
    await call('POST', '/api/pipelines', generatorDoc());
    await call('POST', '/api/pipelines/live/deploy');
    const t0 = Date.now();
    const seen = await readSse(await app.request('/api/pipelines/live/taps/e2'), (s) => s.flatMap((m) => m.data).length >= 15);
    const elapsed = Date.now() - t0;
    const events = seen.flatMap((m) => m.data);
    expect(seen.every((m) => m.event === 'events' && Array.isArray(m.data) && m.data.length <= 10)).toBe(true);
    expect(events[0]).toHaveProperty('sku');
    expect(events.every((e) => e.quantity >= 1)).toBe(true);
    // 2000 events/s cross e2, yet at most 10 a second come through: 15 take more than a second.
    expect(elapsed).toBeGreaterThan(900);
  });

  it('taps any edge id the document format allows, e.g. "edge_3-b" (one id rule: the document schema\'s)', async () => {
    const { app, call } = testApi();
    const doc = generatorDoc();
    doc.edges[1]!.id = 'edge_3-b';
    expect((await call('POST', '/api/pipelines', doc)).json.valid).toBe(true);
    expect((await call('POST', '/api/pipelines/live/deploy')).status).toBe(200);
    const res = await app.request('/api/pipelines/live/taps/edge_3-b');
    expect(res.status).toBe(200);
    const seen = await readSse(res, (s) => s.length >= 1);
    expect(seen[0]).toMatchObject({
      event: 'events',
      data: expect.arrayContaining([expect.objectContaining({ sku: expect.any(String) })]),
    });
  });

  it('404 for an unknown edge, 400 for an edge id outside the format, 409 when not deployed', async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    expect((await call('GET', '/api/pipelines/live/taps/e2')).status).toBe(409);
    await call('POST', '/api/pipelines/live/deploy');
    const unknown = await call('GET', '/api/pipelines/live/taps/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not-found');
    // GRAPH_FORMAT.md: edge ids follow the node id rule; anything else cannot name an edge.
    for (const bad of ['not%20there', 'e'.repeat(65)]) {
      const r = await call('GET', `/api/pipelines/live/taps/${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.json.error, bad).toMatchObject({ code: 'invalid-id', message: expect.stringContaining('[A-Za-z0-9_-]{1,64}') });
    }
  });
});

describe('GET /metrics (Prometheus)', () => {
  it("exposes the running pipeline's counters, latencies, backlog and watermark lag", async () => {
    const { call } = testApi();
    await call('POST', '/api/pipelines', generatorDoc());
    await call('POST', '/api/pipelines/live/deploy');
    // Until events have crossed every node and edge (and a sink batch was timed).
    const flowing = [
      /sluice_edge_events_total\{pipeline="live",edge="e2"\} [1-9]/,
      /sluice_sink_latency_seconds_count\{pipeline="live",node="out"\} /,
    ];
    await vi.waitFor(
      async () => {
        const text = (await call('GET', '/metrics')).text;
        for (const re of flowing) expect(text).toMatch(re);
      },
      { timeout: 10_000 },
    );
    const prom = await call('GET', '/metrics');
    expect(prom.status).toBe(200);
    expect(prom.headers.get('content-type')).toContain('text/plain');
    expect(prom.text).toContain('# TYPE sluice_node_events_in_total counter');
    expect(prom.text).toMatch(/sluice_node_events_in_total\{pipeline="live",node="big"\} [1-9]/);
    expect(prom.text).toMatch(/sluice_node_events_out_total\{pipeline="live",node="orders"\} [1-9]/);
    expect(prom.text).toMatch(/sluice_edge_events_total\{pipeline="live",edge="e2"\} [1-9]/);
    expect(prom.text).toMatch(/sluice_node_batch_duration_seconds_bucket\{pipeline="live",node="big",le="\+Inf"\} /);
    expect(prom.text).toMatch(/sluice_sink_latency_seconds_count\{pipeline="live",node="out"\} /);
    expect(prom.text).toMatch(/sluice_stage_backlog_events\{pipeline="live",stage="source.generator:orders"\} /);
    expect(prom.text).toContain('sluice_stage_watermark_lag_seconds');
    expect(prom.text).toContain('sluice_pipeline_running{pipeline="live",status="running"} 1');
  });
});
