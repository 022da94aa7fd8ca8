/**
 * The alerting rules in deploy/prometheus/ name only metrics /metrics serves (a renamed metric
 * would silently disable an alert), pass promtool's check and their unit tests, and the workers
 * gauge counts live BullMQ workers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DeploymentManager } from '../deployments/deployment-manager.js';
import { BullmqRunner } from '../runners/bullmq/bullmq-runner.js';
import { deletePrefixKeys } from '../runners/bullmq/test-keys.js';
import { WorkerPool } from '../runners/bullmq/worker-pool.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import { FileStore } from '../store/file-store.js';
import { prometheusRegistry } from './prometheus.js';
import { servedNames } from './prometheus-text.js';
import { promtool } from './promtool-support.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const RULES_DIR = fileURLToPath(new URL('../../../deploy/prometheus/', import.meta.url));
const RULES = join(RULES_DIR, 'sluice-alerts.yml');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const dataDirs: string[] = [];
afterAll(() => {
  for (const d of dataDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function manager(runner: EmbeddedRunner | BullmqRunner): DeploymentManager {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-alerts-'));
  dataDirs.push(dataDir);
  return new DeploymentManager({ store: new FileStore({ dataDir }), runner });
}

describe('Prometheus alerting rules', () => {
  it('name only metric families that /metrics serves (an embedded or a BullMQ server)', async () => {
    const prefix = `${TEST_KEY_ROOT}-alerts-${randomUUID().slice(0, 8)}`;
    const bullmq = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const served = new Set([
      ...(await servedNames(prometheusRegistry(manager(new EmbeddedRunner())))),
      ...(await servedNames(prometheusRegistry(manager(bullmq)))),
    ]);
    await bullmq.close();
    await deletePrefixKeys(REDIS_URL, prefix);
    const text = readFileSync(RULES, 'utf8');
    const expressions = [...text.matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1]!);
    expect(expressions.length).toBeGreaterThanOrEqual(7);
    const named = new Set(expressions.flatMap((e) => [...e.matchAll(/\bsluice_[a-z_]+/g)].map((m) => m[0])));
    expect([...named].filter((n) => !served.has(n))).toEqual([]);
  });

  it('sluice_workers_live counts the BullMQ workers that beat', async () => {
    const prefix = `${TEST_KEY_ROOT}-alerts-${randomUUID().slice(0, 8)}`;
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

  it('pass promtool check rules and the unit tests beside them (sluice-alerts.test.yml)', () => {
    const check = promtool(['check', 'rules', RULES]);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const tests = promtool(['test', 'rules', 'sluice-alerts.test.yml'], { cwd: RULES_DIR });
    expect(tests.output).toContain('SUCCESS');
    expect(tests.status).toBe(0);
  });
});
