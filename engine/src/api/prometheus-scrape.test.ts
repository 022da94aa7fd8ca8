/**
 * A real server with a deployed pipeline, scraped over HTTP: promtool accepts the text without a
 * lint complaint, latency and batch times are Prometheus histograms, stages carry readable
 * labels, and an embedded server serves no workers gauge (issue 11, item 20).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../server/start-server.js';
import { parseExposition, type Sample } from './prometheus-text.js';
import { promtool } from './promtool-support.js';
import { waitFor } from './test-support.js';

const DOCUMENT = {
  format: 'sluice/v1',
  id: 'orders-metrics',
  nodes: [
    { id: 'orders', type: 'source.generator', config: { scenario: 'orders', rate: 2000, seed: 7 } },
    { id: 'boxed', type: 'filter', config: { expression: 'quantity >= 1' } },
    { id: 'all_orders', type: 'sink.file', config: { path: 'out/orders.jsonl', mode: 'overwrite' } },
    { id: 'per_category', type: 'window', config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] } },
    { id: 'counts', type: 'sink.file', config: { path: 'out/counts.jsonl', mode: 'overwrite' } },
  ],
  edges: [
    { id: 'e1', source: 'orders', target: 'boxed' },
    { id: 'e2', source: 'boxed', target: 'all_orders' },
    { id: 'e3', source: 'boxed', target: 'per_category' },
    { id: 'e4', source: 'per_category', target: 'counts' },
  ],
};

let root: string;
let server: RunningServer;
let text: string;
let samples: Sample[];

const scrape = async () => (await fetch(`${server.url}/metrics`)).text();
const find = (name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-scrape-'));
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir: join(root, 'data'), examplesDir: join(root, 'no-examples'), editorDist: join(root, 'no-editor'), log: () => undefined });
  const created = await fetch(`${server.url}/api/pipelines`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DOCUMENT) });
  expect(created.status).toBe(201);
  const deployed = await fetch(`${server.url}/api/pipelines/${DOCUMENT.id}/deploy`, { method: 'POST' });
  expect(deployed.status).toBe(200);
  // Until a window has closed and reached its sink: every family then has samples.
  await waitFor(async () => {
    text = await scrape();
    samples = parseExposition(text);
    return find('sluice_node_events_in_total', { node: 'counts' }).some((s) => s.value > 0);
  }, 60_000);
}, 90_000);

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('/metrics on a running server', () => {
  it('passes promtool check metrics without a single lint complaint', () => {
    const r = promtool(['check', 'metrics'], { input: text });
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('serves batch times and end-to-end latency as histograms that histogram_quantile can read', () => {
    for (const [family, node] of [
      ['sluice_node_batch_duration_seconds', 'per_category'],
      ['sluice_sink_latency_seconds', 'counts'],
    ] as const) {
      expect(text).toContain(`# TYPE ${family} histogram`);
      const labels = { pipeline: DOCUMENT.id, node };
      const buckets = find(`${family}_bucket`, labels);
      const count = find(`${family}_count`, labels)[0]!.value;
      expect(count).toBeGreaterThan(0);
      expect(find(`${family}_sum`, labels)[0]!.value).toBeGreaterThan(0);
      // Cumulative: never decreasing with le, and +Inf holds every observation.
      const values = buckets.map((b) => b.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(buckets.at(-1)!.labels.le).toBe('+Inf');
      expect(buckets.at(-1)!.value).toBe(count);
    }
    expect(text).not.toMatch(/quantile="/);
  });

  it('labels stages by node type and id, not by plan index', () => {
    const stages = find('sluice_stage_backlog_events', { pipeline: DOCUMENT.id }).map((s) => s.labels.stage!);
    expect(stages).toEqual(expect.arrayContaining(['source.generator:orders', 'window:per_category']));
    for (const stage of stages) expect(stage).toMatch(/^[a-z.]+:[a-z_]+$/);
    expect(find('sluice_stage_watermark_lag_seconds', { stage: 'window:per_category' })).toHaveLength(1);
  });

  it('serves no workers gauge on the embedded engine, which has no workers (SluiceNoWorkers paged every such server)', () => {
    expect(find('sluice_pipeline_running', { pipeline: DOCUMENT.id, status: 'running' })[0]?.value).toBe(1);
    expect(text).not.toMatch(/^(# TYPE )?sluice_workers_live/m);
  });

  it('serves build info and the process and Node.js metrics', () => {
    const info = find('sluice_build_info');
    expect(info).toHaveLength(1);
    expect(info[0]!.labels).toMatchObject({ engine: 'embedded', node: process.version });
    expect(info[0]!.labels.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(find('process_cpu_seconds_total')).toHaveLength(1);
    expect(find('nodejs_heap_size_used_bytes')).toHaveLength(1);
  });
});
