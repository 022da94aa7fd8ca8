/**
 * The HTTP API (Hono). JSON everywhere; errors as `{ error: { code, message, details? } }`;
 * bodies size-limited; no CORS headers unless origins are configured. One route file per
 * resource, mounted here; tested with `app.request()`, no port needed. See docs/api.md.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { type AuditLog, MemoryAuditLog } from '../audit/audit-log.js';
import { authMiddleware } from '../auth/auth-middleware.js';
import { Authenticator } from '../auth/authenticator.js';
import { oidcRoutes } from '../auth/oidc-routes.js';
import { sessionRoutes } from '../auth/session-routes.js';
import type { DeploymentManager } from '../deployments/deployment-manager.js';
import { type LogOption, toLogger } from '../logging/logger.js';
import { Recorder } from '../recording/recorder.js';
import { MemoryRecordingStore } from '../recording/recording-store.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { errorBody, sendError } from './errors.js';
import { jsonBodyLimit } from './middleware/body-limit.js';
import { corsFromOptions } from './middleware/cors.js';
import { hostCheck } from './middleware/host-check.js';
import { hsts } from './middleware/hsts.js';
import { jsonContentType } from './middleware/json-content-type.js';
import { originCheck } from './middleware/origin-check.js';
import { refusalLog } from './middleware/refusal-log.js';
import { requestLog } from './middleware/request-log.js';
import { auditRoutes, pipelineAuditRoutes } from './routes/audit.js';
import { ingestRoutes } from './routes/ingest.js';
import { connectionCheckRoutes } from './routes/connection-check.js';
import { fileRoutes } from './routes/files.js';
import { liveRoutes } from './routes/live.js';
import { nodeTypesRoutes } from './routes/node-types.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { previewRoutes } from './routes/preview.js';
import { debugRoutes } from './routes/debug.js';
import { DebugSessions } from '../debugger/debug-sessions.js';
import { runRoutes } from './routes/runs.js';
import { systemRoutes } from './routes/system.js';
import { testRoutes } from './routes/tests.js';
import { alertRoutes } from './routes/alerts.js';
import type { AlertEvaluator } from '../alerts/alert-evaluator.js';
import { pinnedRoutes } from './routes/pinned.js';
import { versionRoutes } from './routes/versions.js';
import { workersRoutes } from './routes/workers.js';
import { clusterRoutes } from './routes/cluster.js';
import type { ClusterView } from '../cluster/server-cluster.js';
import type { WorkerView } from '../runners/bullmq/worker-list.js';

/** 5 MiB documents (GRAPH_FORMAT.md's limit) plus slack for the JSON around them. */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;

/** Media types ingest reads besides application/json. */
const INGEST_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/json-seq',
  'application/x-www-form-urlencoded',
];

export interface AppOptions {
  store: PipelineStore;
  deployments: DeploymentManager;
  /** Readiness beyond "the process is up" (e.g. Redis answers). */
  ready?: () => Promise<boolean>;
  /** The BullMQ workers, for GET /api/workers; absent for the embedded engine. */
  workers?: () => Promise<WorkerView[]>;
  /** The servers sharing this Redis prefix and which leads, for GET /api/cluster (BullMQ only). */
  cluster?: () => Promise<ClusterView>;
  /** Largest accepted request body, bytes (default 6 MiB). */
  maxBodyBytes?: number;
  /** Origins allowed by CORS; none by default (no CORS headers at all). They may also change state. */
  corsOrigins?: readonly string[];
  /** Other origins whose pages may change state (SLUICE_ALLOWED_ORIGINS), without CORS reads. */
  allowedOrigins?: readonly string[];
  /** Host names answered besides loopback (SLUICE_ALLOWED_HOSTS, the bound address). */
  allowedHosts?: readonly string[];
  /** Largest uploaded file, bytes (default 64 MiB; SLUICE_MAX_FILE_BYTES). */
  maxFileBytes?: number;
  /** The server's own files (tokens, audit log): never written or deleted through /api/files. */
  protectedFiles?: readonly string[];
  /** Most events a tap streams per second (default 20). */
  tapEventsPerSecond?: number;
  /** Append-only audit log (default: in memory). */
  audit?: AuditLog;
  /** Evaluates the pipelines' alert rules (GET /api/pipelines/:id/alerts); absent: rules are listed, not evaluated. */
  alerts?: AlertEvaluator;
  /**
   * The stream debugger's sessions and their limits (default: 4 at once, freed after 10 idle
   * minutes, 10,000 events each); the owner closes them. See docs/debugger.md.
   */
  debugSessions?: DebugSessions;
  /** Records deployed pipelines' source events for previews (default: in memory). */
  recorder?: Recorder;
  /** API tokens and roles (docs/auth.md); none: local-only mode, every caller is an admin. */
  auth?: Authenticator;
  /**
   * The server log: a request line per request, refused requests, 500s with their stack. A pino
   * logger, or a function taking plain lines (tests); default: none.
   */
  log?: LogOption;
}

export function createApp(o: AppOptions): Hono {
  const app = new Hono();
  const logger = toLogger(o.log);
  app.onError((err, c) => sendError(c, err, logger));
  app.notFound((c) => c.json(errorBody('not-found', `no route ${c.req.method} ${c.req.path}`), 404));
  // First: every answer below, a door's refusal included, gets the request id and a log line.
  app.use('*', requestLog({ logger }));
  app.use('*', refusalLog({ log: (line) => logger.warn(line) }));
  app.use('*', hsts());
  // Doors first (docs/auth.md "Cross-site requests"): the Host, then who sent a change.
  app.use('*', hostCheck({ allowedHosts: o.allowedHosts ?? [] }));
  app.use('*', originCheck({ allowedOrigins: [...(o.corsOrigins ?? []), ...(o.allowedOrigins ?? [])] }));
  app.use('/api/*', corsFromOptions({ origins: o.corsOrigins ?? [] }));
  // Uploads stream to disk under their own limit and type check (routes/files.ts): the JSON
  // doors would hold a whole file in memory first.
  app.use('/api/*', except(FILES_PREFIX, jsonBodyLimit({ maxBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES })));
  // Ingest also reads NDJSON, and NDJSON sent as a form by `curl --data-binary` (docs/api.md).
  app.use('/api/*', except(FILES_PREFIX, jsonContentType({ extra: [{ prefix: '/api/ingest/', types: INGEST_TYPES }] })));
  // After the body limit (which may replace the raw request), before every route.
  const auth = o.auth ?? new Authenticator();
  app.use('*', authMiddleware({ auth, store: o.store }));

  const { store, deployments } = o;
  const audit = o.audit ?? new MemoryAuditLog();
  const recorder = o.recorder ?? new Recorder({ deployments, recordings: new MemoryRecordingStore() });
  app.route('/', sessionRoutes({ auth }));
  app.route('/', oidcRoutes({ auth, log: (line) => logger.warn(line) }));
  app.route('/', systemRoutes({ deployments, ...(o.ready ? { ready: o.ready } : {}) }));
  app.route('/api/node-types', nodeTypesRoutes());
  app.route('/api/audit', auditRoutes({ audit }));
  app.route('/api/pipelines', pipelineRoutes({ store, deployments, audit, recorder }));
  app.route('/api/pipelines', versionRoutes({ store, deployments, audit }));
  app.route('/api/pipelines', runRoutes({ store, deployments, audit }));
  app.route('/api/pipelines', previewRoutes({ store, deployments, recordings: recorder.recordings }));
  app.route('/api/pipelines', testRoutes({ store, deployments, recordings: recorder.recordings }));
  const debug = debugRoutes({ store, deployments, recordings: recorder.recordings, sessions: o.debugSessions ?? new DebugSessions() });
  app.route('/api/pipelines', debug.pipelines);
  app.route('/api/debug', debug.sessions);
  app.route('/api/pipelines', alertRoutes({ store, ...(o.alerts ? { alerts: o.alerts } : {}) }));
  app.route('/api/pipelines', pinnedRoutes({ store, deployments, recordings: recorder.recordings }));
  app.route('/api/pipelines', pipelineAuditRoutes({ audit, store }));
  app.route('/api/pipelines', connectionCheckRoutes({ store }));
  app.route(
    '/api/pipelines',
    liveRoutes({ store, deployments, ...(o.tapEventsPerSecond ? { tapEventsPerSecond: o.tapEventsPerSecond } : {}) }),
  );
  app.route('/api/ingest', ingestRoutes({ store, deployments }));
  app.route('/api/workers', workersRoutes({ deployments, ...(o.workers ? { list: o.workers } : {}) }));
  app.route('/api/cluster', clusterRoutes({ deployments, ...(o.cluster ? { view: o.cluster } : {}) }));
  app.route(
    '/api/files',
    fileRoutes({
      dir: store.defaultBaseDir,
      ...(o.maxFileBytes ? { maxBytes: o.maxFileBytes } : {}),
      protectedPaths: o.protectedFiles ?? [],
    }),
  );
  return app;
}

const FILES_PREFIX = '/api/files/';

/** The middleware, except on paths under `prefix`. */
function except(prefix: string, mw: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => (c.req.path.startsWith(prefix) ? next() : mw(c, next));
}
