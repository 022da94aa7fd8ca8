/**
 * The alerting rules in deploy/prometheus/ name only metrics /metrics serves (a renamed metric
 * would silently disable an alert), and the workers gauge counts live BullMQ workers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeploymentManager } from '../deployments/deployment-manager.js';
import { BullmqRunner } from '../runners/bullmq/bullmq-runner.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { WorkerPool } from '../runners/bullmq/worker-pool.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { FileStore } from '../store/file-store.js';
import { prometheusRegistry } from './prometheus.js';

const RULES = new URL('../../../deploy/prometheus/sluice-alerts.yml', import.meta.url);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function manager(runner: EmbeddedRunner | BullmqRunner): DeploymentManager {
  const store = new FileStore({ dataDir: mkdtempSync(join(tmpdir(), 'sluice-alerts-')) });
  return new DeploymentManager({ store, runner });
}

describe('Prometheus alerting rules', () => {
  it('name only metric families that /metrics serves', async () => {
    const registry = prometheusRegistry(manager(new EmbeddedRunner()));
    const served = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const text = readFileSync(RULES, 'utf8');
    const expressions = [...text.matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1]!);
    expect(expressions.length).toBeGreaterThanOrEqual(7);
    const named = new Set(expressions.flatMap((e) => [...e.matchAll(/\bsluice_[a-z_]+/g)].map((m) => m[0])));
    expect([...named].filter((n) => !served.has(n))).toEqual([]);
  });

  it('sluice_workers_live counts the BullMQ workers that beat', async () => {
    const prefix = `sluice-test-alerts-${randomUUID().slice(0, 8)}`;
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}`);
    const registry = prometheusRegistry(manager(runner));
    const workers = [new WorkerPool({ redisUrl: REDIS_URL, prefix }), new WorkerPool({ redisUrl: REDIS_URL, prefix })];
    try {
      for (const w of workers) await w.start();
      expect(await registry.metrics()).toMatch(/^sluice_workers_live 2$/m);
      await workers.pop()!.close();
      expect(await registry.metrics()).toMatch(/^sluice_workers_live 1$/m);
    } finally {
      for (const w of workers) await w.close();
      await runner.close();
      await deletePrefixKeys(REDIS_URL, prefix);
    }
  });
});
