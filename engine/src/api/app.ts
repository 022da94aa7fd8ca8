/**
 * The HTTP API (Hono). JSON everywhere; errors as `{ error: { code, message, details } }`;
 * bodies size-limited; no CORS headers unless origins are configured. Tested with
 * `app.request()`, no port needed.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { DeploymentManager } from '../deployments/deployment-manager.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { errorBody, sendError } from './errors.js';
import { OPENAPI } from './openapi.js';
import { prometheusRegistry } from './prometheus.js';
import { ingestRoutes } from './routes/ingest.js';
import { nodeTypesRoutes } from './routes/node-types.js';
import { pipelineRoutes } from './routes/pipelines.js';

export interface AppOptions {
  store: PipelineStore;
  deployments: DeploymentManager;
  /** Where documents created through the API keep their files. */
  dataDir: string;
  /** Readiness beyond "the process is up" (e.g. Redis answers). */
  ready?: () => Promise<boolean>;
  /** Largest accepted body, bytes (default 6 MiB: a 5 MiB document plus slack). */
  maxBodyBytes?: number;
  /** Origins allowed by CORS; none by default. */
  corsOrigins?: string[];
}

export function createApp(o: AppOptions): Hono {
  const app = new Hono();
  app.onError((err, c) => sendError(c, err));
  app.notFound((c) => c.json(errorBody('not-found', `no route ${c.req.method} ${c.req.path}`), 404));
  if (o.corsOrigins && o.corsOrigins.length > 0) app.use('/api/*', cors({ origin: o.corsOrigins }));
  const maxSize = o.maxBodyBytes ?? 6 * 1024 * 1024;
  app.use(
    '/api/*',
    bodyLimit({ maxSize, onError: (c) => c.json(errorBody('too-large', `the body is larger than ${maxSize} bytes`), 413) }),
  );
  const registry = prometheusRegistry(o.deployments);

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const ok = o.ready ? await o.ready().catch(() => false) : true;
    return ok ? c.json({ ready: true, engine: o.deployments.runnerKind }) : c.json(errorBody('not-ready', 'Redis does not answer'), 503);
  });
  app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  app.get('/api/openapi.json', (c) => c.json(OPENAPI));
  app.route('/api/node-types', nodeTypesRoutes());
  app.route('/api/pipelines', pipelineRoutes({ store: o.store, deployments: o.deployments, dataDir: o.dataDir }));
  app.route('/api/ingest', ingestRoutes({ store: o.store, deployments: o.deployments }));
  return app;
}
