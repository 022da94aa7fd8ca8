/**
 * A real server with a deployed pipeline, scraped over HTTP: promtool accepts the text without a
 * lint complaint, latency and batch times are Prometheus histograms, stages carry readable
 * labels, an embedded server serves no workers gauge (issue 11, item 20), and the Grafana
 * dashboard in deploy/grafana/ queries only what is served, in PromQL that promtool parses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentManager } from '../deployments/deployment-manager.js';
import { BullmqRunner } from '../runners/bullmq/bullmq-runner.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { type RunningServer, startServer } from '../server/start-server.js';
import { FileStore } from '../store/file-store.js';
import { prometheusRegistry } from './prometheus.js';
import { dashboardQueries, metricNames, parseExposition, type Sample, servedNames } from './prometheus-text.js';
import { promtool } from './promtool-support.js';
import { waitFor } from './test-support.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const DASHBOARD = new URL('../../../deploy/grafana/sluice.json', import.meta.url);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const DOCUMENT = {
  format: 'sluice/v1',
  id: 'orders-metrics',
  nodes: [
    { id: 'orders', type: 'source.generator', config: { scenario: 'orders', rate: 2000, seed: 7 } },
    { id: 'boxed', type: 'filter', config: { expression: 'quantity >= 1' } },
    { id: 'all_orders', type: 'sink.file', config: { path: 'out/orders.jsonl', mode: 'overwrite' } },
    {
      id: 'per_category',
      type: 'window',
      config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] },
    },
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
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(root, 'data'),
    examplesDir: join(root, 'no-examples'),
    editorDist: join(root, 'no-editor'),
    log: () => undefined,
  });
  const created = await fetch(`${server.url}/api/pipelines`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DOCUMENT),
  });
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

describe('the Grafana dashboard (deploy/grafana/sluice.json)', () => {
  const { promql, variableMetrics } = dashboardQueries(JSON.parse(readFileSync(DASHBOARD, 'utf8')));

  it('queries only metrics a running server serves (BullMQ servers for the workers gauge)', async () => {
    const declared = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => name + s) : [name!],
      ),
    );
    const queried = new Set([...promql.flatMap(metricNames), ...variableMetrics]);
    expect(queried.size).toBeGreaterThanOrEqual(12);
    const elsewhere = [...queried].filter((n) => !declared.has(n));
    // Only a BullMQ server has workers: read what its registry serves.
    const prefix = `${TEST_KEY_ROOT}-dashboard-${randomUUID().slice(0, 8)}`;
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    try {
      const bullmq = new Set(
        await servedNames(prometheusRegistry(new DeploymentManager({ store: new FileStore({ dataDir: join(root, 'bullmq') }), runner }))),
      );
      expect(elsewhere).toEqual(['sluice_workers_live']);
      expect(elsewhere.filter((n) => !bullmq.has(n))).toEqual([]);
    } finally {
      await runner.close();
      await deletePrefixKeys(REDIS_URL, prefix);
    }
  });

  it('writes PromQL that Prometheus parses (promtool check rules on each expression)', () => {
    const rules = promql.map((e, i) => `      - record: sluice_dashboard:${i}\n        expr: ${JSON.stringify(grafanaToPromql(e))}`);
    const file = join(root, 'dashboard-rules.yml');
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    const r = promtool(['check', 'rules', file]);
    expect(r.output).toContain(`SUCCESS: ${promql.length} rules found`);
    expect(r.status).toBe(0);
  });
});

/** Grafana's variables replaced by values a Prometheus rule accepts. */
function grafanaToPromql(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?(\w+)(?::\w+)?\}?/g, '.*');
}
