/**
 * Process-level families on /metrics: prom-client's default process and Node.js metrics, and
 * `sluice_build_info{version,engine,node} 1` (join on it to tell versions and engines apart).
 */
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

const ENGINE_PACKAGE = new URL('../../package.json', import.meta.url);

/**
 * Gauges that prom-client names `_total`, which Prometheus reserves for counters (promtool
 * lints them); the same numbers stay served by type in nodejs_active_handles and friends.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function registerProcessMetrics(registry: Registry, engine: 'embedded' | 'bullmq'): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  const version = (JSON.parse(readFileSync(ENGINE_PACKAGE, 'utf8')) as { version: string }).version;
  const info = new Gauge({
    name: 'sluice_build_info',
    help: 'Always 1: the Sluice version, the engine this server runs pipelines on, and the Node.js version',
    labelNames: ['version', 'engine', 'node'],
    registers: [registry],
  });
  info.set({ version, engine, node: process.version }, 1);
}
