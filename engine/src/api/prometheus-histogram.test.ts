/**
 * The engine's histograms as Prometheus buckets: cumulative, never counting a value above its
 * bound, +Inf = count; and on BullMQ, where workers commit the histograms with each batch, the
 * server serves them too, with readable stage labels.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeploymentManager } from '../deployments/deployment-manager.js';
import { Histogram } from '../metrics/histogram.js';
import { BullmqRunner } from '../runners/bullmq/bullmq-runner.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { WorkerPool } from '../runners/bullmq/worker-pool.js';
import { FileStore } from '../store/file-store.js';
import { prometheusRegistry } from './prometheus.js';
import { BATCH_BOUNDS_S, LATENCY_BOUNDS_S, toPrometheusBuckets } from './prometheus-histogram.js';
import { parseExposition } from './prometheus-text.js';
import { waitFor } from './test-support.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('toPrometheusBuckets', () => {
  it('counts each value under every bound at or above it, and +Inf holds them all', () => {
    const h = new Histogram();
    const values = [0.05, 0.05, 0.05, 2, 2, 2, 2, 2, 3000, 3000, 900_000];
    for (const v of values) h.record(v);
    const b = toPrometheusBuckets(h, BATCH_BOUNDS_S);
    const at = (le: number) => b.cumulative[BATCH_BOUNDS_S.indexOf(le)];
    expect(at(0.0001)).toBe(3);
    expect(at(0.001)).toBe(3);
    expect(at(0.0025)).toBe(8);
    expect(at(2.5)).toBe(8);
    expect(at(5)).toBe(10);
    expect(at(10)).toBe(10);
    expect(b.count).toBe(values.length);
    expect(b.cumulative).toEqual([...b.cumulative].sort((x, y) => x - y));
    // Without the value beyond the engine's range, the estimated sum is within 2%.
    const inRange = new Histogram();
    for (const v of values.slice(0, -1)) inRange.record(v);
    const exact = values.slice(0, -1).reduce((s, v) => s + v, 0) / 1000;
    expect(Math.abs(toPrometheusBuckets(inRange, LATENCY_BOUNDS_S).sum - exact) / exact).toBeLessThan(0.02);
  });

  it('never counts a value under a bound below it (a value just above 1 s is not le="1")', () => {
    const h = new Histogram();
    h.record(1001);
    const b = toPrometheusBuckets(h, LATENCY_BOUNDS_S);
    expect(b.cumulative[LATENCY_BOUNDS_S.indexOf(1)]).toBe(0);
    expect(b.cumulative[LATENCY_BOUNDS_S.indexOf(2.5)]).toBe(1);
  });
});

describe('/metrics on a BullMQ server', () => {
  it('serves the histograms its workers commit, with stages labelled by node', async () => {
    const prefix = `${TEST_KEY_ROOT}-prom-hist-${randomUUID().slice(0, 8)}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-prom-hist-'));
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}: this test needs it`);
    const store = new FileStore({ dataDir });
    const deployments = new DeploymentManager({ store, runner });
    const worker = new WorkerPool({ redisUrl: REDIS_URL, prefix });
    try {
      await worker.start();
      await store.put(
        'hist',
        {
          format: 'sluice/v1',
          id: 'hist',
          nodes: [
            { id: 'orders', type: 'source.generator', config: { scenario: 'orders', count: 5000, seed: 3 } },
            {
              id: 'per_category',
              type: 'window',
              config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] },
            },
            { id: 'counts', type: 'sink.file', config: { path: 'out/counts.jsonl', mode: 'overwrite' } },
          ],
          edges: [
            { id: 'e1', source: 'orders', target: 'per_category' },
            { id: 'e2', source: 'per_category', target: 'counts' },
          ],
        },
        { author: 'test', action: 'create' },
      );
      await deployments.deploy('hist');
      const registry = prometheusRegistry(deployments);
      const count = (text: string, family: string, node: string) =>
        parseExposition(text).find((s) => s.name === `${family}_count` && s.labels.node === node)?.value ?? 0;
      let text = '';
      // Metrics refresh from Redis about once a second: until the keyed stage's batches are in.
      await waitFor(async () => {
        text = await registry.metrics();
        return (
          count(text, 'sluice_node_batch_duration_seconds', 'per_category') > 0 && count(text, 'sluice_sink_latency_seconds', 'counts') > 0
        );
      }, 60_000);
      expect(text).toMatch(/^sluice_stage_backlog_events\{pipeline="hist",stage="window:per_category"\} /m);
      expect(text).toMatch(/^sluice_build_info\{version="[^"]+",engine="bullmq",node="v[^"]+"\} 1$/m);
    } finally {
      await deployments.close();
      await worker.close();
      await runner.close();
      await deletePrefixKeys(REDIS_URL, prefix);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
