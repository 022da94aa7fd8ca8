/** Liveness, readiness, Prometheus metrics and the OpenAPI description. */
import { Hono } from 'hono';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import { errorBody } from '../errors.js';
import { OPENAPI } from '../openapi.js';
import { prometheusRegistry } from '../prometheus.js';

export interface SystemRoutesOptions {
  deployments: DeploymentManager;
  /** Readiness beyond "the process is up" (e.g. Redis answers). */
  ready?: () => Promise<boolean>;
}

export function systemRoutes(o: SystemRoutesOptions): Hono {
  const app = new Hono();
  const registry = prometheusRegistry(o.deployments);

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    if (o.deployments.closed) return c.json(errorBody('not-ready', 'the server is shutting down'), 503);
    // Redis answers but lost the state of a run (restarted without persistence): not ready either.
    const lost = o.deployments.lostState();
    if (lost) return c.json(errorBody('not-ready', lost), 503);
    const ok = o.ready ? await o.ready().catch(() => false) : true;
    if (!ok)
      return c.json(errorBody('not-ready', `the ${o.deployments.runnerKind} engine's backing service does not answer (Redis?)`), 503);
    return c.json({ ready: true, engine: o.deployments.runnerKind });
  });
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  app.get('/api/openapi.json', (c) => c.json(OPENAPI));
  return app;
}
