/**
 * The server behind `sluice serve` / `pnpm start`: the API and the built editor on one port;
 * the embedded engine, or BullMQ when a Redis URL is given; the store under the data folder;
 * the examples imported on first start; deployed pipelines brought back.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.js';
import { DebugSessions } from '../debugger/debug-sessions.js';
import { ServerCluster } from '../cluster/server-cluster.js';
import { FileAuditLog } from '../audit/audit-log.js';
import { PostgresAuditLog } from '../audit/postgres-audit-log.js';
import { Authenticator } from '../auth/authenticator.js';
import { bindAddress, checkBinding, isLoopback, isWildcard, modeLine } from '../auth/binding.js';
import type { OidcSettings } from '../auth/oidc-settings.js';
import { type TokenStore, tokenStoreFor } from '../auth/token-store.js';
import { DeploymentManager } from '../deployments/deployment-manager.js';
import { type LogOption, lineFn, toLogger } from '../logging/logger.js';
import { Recorder } from '../recording/recorder.js';
import { AlertEvaluator } from '../alerts/alert-evaluator.js';
import { RedisAlertStates } from '../alerts/alert-state-store.js';
import { StoredAlertStates } from '../alerts/stored-alert-states.js';
import { RedisKeys } from '../runners/bullmq/keys.js';
import { createRedis } from '../runners/bullmq/redis-client.js';
import { closeRedis } from '../runners/bullmq/redis-options.js';
import { targetGuard } from '@sluice/nodes/http-client';
import { secretEnvVar } from '@sluice/nodes/sdk';
import { FileRecordingStore } from '../recording/file-recording-store.js';
import { RedisRecordingStore } from '../recording/redis-recording-store.js';
import { BullmqRunner } from '../runners/bullmq/bullmq-runner.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import type { Runner } from '../runners/runner.js';
import { MemoryIngestHub } from '../runtime/ingest-hub.js';
import { RedisIngestHub } from '../runtime/redis-ingest-hub.js';
import { checkRedisRequirements } from '../runners/bullmq/redis-requirements.js';
import { FileStore } from '../store/file-store.js';
import { PostgresStore } from '../store/postgres-store.js';
import { loadExamples } from './load-examples.js';
import { mountEditor } from './static-editor.js';
import { readTlsPair, reloadOnChange, type TlsFiles } from './tls-files.js';

/** The repository root, from this file's location: `pnpm start` works from any folder. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Written once the examples were imported: deleting every pipeline does not bring them back. */
const EXAMPLES_MARKER = 'examples-imported';

export interface ServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  dataDir: string;
  /** Run pipelines on BullMQ (Redis at this URL) instead of in this process. */
  redisUrl?: string;
  /** Keep pipelines, versions and the audit log in PostgreSQL instead of files. */
  databaseUrl?: string;
  /** PostgreSQL schema of the tables (default `sluice`). */
  databaseSchema?: string;
  /** Redis key prefix (BullMQ mode). */
  prefix?: string;
  /** Default: <repo>/examples. */
  examplesDir?: string;
  /** Import the examples in their live form (unbounded generators at a modest rate): `sluice serve` does. */
  liveExamples?: boolean;
  /** Default: <repo>/editor/dist (served when it exists). */
  editorDist?: string;
  maxBodyBytes?: number;
  /** Largest file uploaded to <dataDir>/files through the API (default 64 MiB). */
  maxFileBytes?: number;
  corsOrigins?: string[];
  /** Host names answered besides loopback and the bound address (SLUICE_ALLOWED_HOSTS). */
  allowedHosts?: string[];
  /** Other origins whose pages may change state (SLUICE_ALLOWED_ORIGINS). */
  allowedOrigins?: string[];
  /** API tokens (default: <dataDir>/tokens.json or SLUICE_TOKENS_FILE, and SLUICE_TOKENS). None: loopback only. */
  tokens?: TokenStore;
  /** Sign-in through an OpenID Connect provider, beside tokens (docs/auth.md). */
  oidc?: OidcSettings;
  /** The clock sessions and the sign-in limit run on (tests move it forward to expire sessions). */
  now?: () => number;
  /** Serve https from these files (TLS_CERT, TLS_KEY), reloaded when they change. */
  tls?: TlsFiles;
  /** The server log: a pino logger (`sluice serve` makes one), or a function taking plain lines (tests). */
  log: LogOption;
}

export interface RunningServer {
  url: string;
  port: number;
  app: ReturnType<typeof createApp>;
  deployments: DeploymentManager;
  /** Stop accepting, stop (embedded) or detach from (BullMQ) runs, flush, close connections. */
  close(): Promise<void>;
}

function createRunner(o: ServerOptions): Runner {
  // The one place the engine is chosen: BullMQ when a Redis URL is configured.
  if (o.redisUrl) return new BullmqRunner({ redisUrl: o.redisUrl, prefix: o.prefix ?? 'sluice' });
  return new EmbeddedRunner();
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // Every server log line is masked (a run error quoting a connection URL, a secret value).
  // HOST=" 127.0.0.1" and HOST=[::1] are meant as addresses: listen() takes neither as written.
  // The logger masks every message and field (logging/logger.ts); `log` keeps the plain-line shape
  // the deployment manager and the example loader take.
  const logger = toLogger(options.log);
  const o = { ...options, log: lineFn(logger), host: bindAddress(options.host) };
  // Before anything else: a server others could reach must have tokens (docs/auth.md).
  const tokens = o.tokens ?? tokenStoreFor(o.dataDir);
  checkBinding(o.host, tokens.size, tokens.file, o.oidc !== undefined);
  // Read before anything is opened: a missing certificate is a configuration error.
  const tlsPair = o.tls ? readTlsPair(o.tls) : undefined;
  // BullMQ: refuse an evicting Redis before anything is opened (redis-requirements.ts).
  if (o.redisUrl) await checkRedisRequirements(o.redisUrl, { warn: o.log, unreachable: 'warn' });
  const examplesDir = o.examplesDir ?? resolve(ROOT, 'examples');
  const editorDist = o.editorDist ?? resolve(ROOT, 'editor/dist');
  const pgStore = o.databaseUrl
    ? await PostgresStore.open({
        databaseUrl: o.databaseUrl,
        defaultBaseDir: join(o.dataDir, 'files'),
        ...(o.databaseSchema ? { schema: o.databaseSchema } : {}),
      })
    : undefined;
  const store = pgStore ?? new FileStore({ dataDir: o.dataDir });
  const runner = createRunner(o);
  // BullMQ mode: posted events are in Redis before the 202 (docs/durable-ingest.md).
  const redisIngest = o.redisUrl ? new RedisIngestHub({ redisUrl: o.redisUrl, prefix: o.prefix ?? 'sluice' }) : undefined;
  const deployments = new DeploymentManager({
    store,
    runner,
    log: o.log,
    ingest: redisIngest ?? new MemoryIngestHub(),
    allowedRoots: [store.defaultBaseDir, examplesDir],
  });

  if (!existsSync(join(o.dataDir, EXAMPLES_MARKER)) && (await store.list()).length === 0) {
    const loaded = await loadExamples({ store, examplesDir, log: o.log, live: o.liveExamples === true });
    if (loaded.length > 0) o.log(`imported example pipelines: ${loaded.join(', ')}`);
    await mkdir(o.dataDir, { recursive: true });
    await writeFile(join(o.dataDir, EXAMPLES_MARKER), `${JSON.stringify({ at: new Date().toISOString(), loaded })}\n`);
  }
  // Before restore(): runs brought back are recorded too.
  const recordings = o.redisUrl
    ? new RedisRecordingStore({ redisUrl: o.redisUrl, prefix: o.prefix ?? 'sluice' })
    : // Embedded: kept in the data folder, so previews survive a restart (docs/preview.md).
      await FileRecordingStore.open(join(o.dataDir, 'recordings'));
  const recorder = new Recorder({ deployments, recordings });
  // BullMQ: one of possibly several servers; the one holding the leader lease resumes the
  // deployed pipelines (before this server listens, when it takes the lease now).
  const cluster = o.redisUrl
    ? new ServerCluster({ redisUrl: o.redisUrl, prefix: o.prefix ?? 'sluice', deployments, log: o.log })
    : undefined;
  // The pipelines' alert rules, on the runs this server coordinates (docs/alerts.md); in a
  // cluster their states are kept in Redis, so a new leader goes on where the last one was;
  // without Redis in the store, so a restarted server goes on where it was.
  const alertRedis = cluster && o.redisUrl ? createRedis(o.redisUrl, { commandTimeout: 5000 }) : undefined;
  alertRedis?.on('error', () => undefined); // retried by ioredis; a failed write is logged by the evaluator
  const alerts = new AlertEvaluator({
    runs: () => deployments.own(),
    store,
    notifier: { guard: targetGuard(), secret: readSecret, log: o.log },
    // Data rules are counted by taps (embedded) or by the workers (BullMQ, summed through Redis).
    countsEdges: runner.kind === 'embedded' || alertRedis !== undefined,
    fileRoots: [store.defaultBaseDir, examplesDir],
    ...(cluster && alertRedis
      ? {
          states: new RedisAlertStates(alertRedis, new RedisKeys(o.prefix ?? 'sluice'), () => cluster.fencing.token(), o.log),
          // BullMQ: the workers count data rules on the edges they produce; the leader sums them.
          ...(runner.kind === 'bullmq' ? { remoteCounts: { redis: alertRedis, keys: new RedisKeys(o.prefix ?? 'sluice') } } : {}),
        }
      : { states: new StoredAlertStates(store) }),
  });
  alerts.start();
  // Before the lease is tried: every run this server coordinates carries its leader token.
  if (cluster && runner instanceof BullmqRunner) runner.fenceWith(cluster.fencing);
  if (cluster) await cluster.start();
  else {
    const restored = await deployments.restore();
    if (restored.length > 0) o.log(`redeployed: ${restored.join(', ')}`);
  }

  const auditFile = join(o.dataDir, 'audit.jsonl');
  // The stream debugger's sessions (worker threads): ended with the server.
  const debugSessions = new DebugSessions();
  const app = createApp({
    store,
    deployments,
    debugSessions,
    audit: pgStore ? new PostgresAuditLog(pgStore) : new FileAuditLog(auditFile),
    ...(o.maxFileBytes ? { maxFileBytes: o.maxFileBytes } : {}),
    // Wherever they are configured to live, uploads never replace or delete these.
    protectedFiles: [auditFile, ...(tokens.file ? [tokens.file] : [])],
    recorder,
    alerts,
    ...(runner.ready ? { ready: () => runner.ready!() } : {}),
    ...(runner instanceof BullmqRunner ? { workers: () => runner.workers() } : {}),
    ...(cluster ? { cluster: () => cluster.view() } : {}),
    ...(o.maxBodyBytes ? { maxBodyBytes: o.maxBodyBytes } : {}),
    ...(o.corsOrigins ? { corsOrigins: o.corsOrigins } : {}),
    // The public URL's name too: the provider sends browsers back there.
    allowedHosts: [
      ...(isWildcard(o.host) ? [] : [o.host]),
      ...(o.allowedHosts ?? []),
      ...(o.oidc ? [new URL(o.oidc.redirectUrl).host] : []),
    ],
    ...(o.allowedOrigins ? { allowedOrigins: o.allowedOrigins } : {}),
    log: logger,
    auth: new Authenticator({
      tokens,
      required: !isLoopback(o.host),
      ...(o.oidc ? { oidc: o.oidc } : {}),
      ...(o.now ? { now: o.now } : {}),
    }),
  });
  const withEditor = existsSync(join(editorDist, 'index.html'));
  if (withEditor) mountEditor(app, editorDist);

  const tlsServer =
    o.tls && tlsPair
      ? (serve({
          fetch: app.fetch,
          port: o.port,
          hostname: o.host,
          createServer: createHttpsServer,
          serverOptions: tlsPair,
        }) as HttpsServer)
      : undefined;
  const server: Server | HttpsServer = tlsServer ?? (serve({ fetch: app.fetch, port: o.port, hostname: o.host }) as Server);
  const stopWatching = tlsServer && o.tls ? reloadOnChange(tlsServer, o.tls, o.log) : undefined;
  await new Promise<void>((ok, fail) => {
    server.once('listening', () => ok());
    server.once('error', fail);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${tlsPair ? 'https' : 'http'}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  cluster?.setUrl(url);
  o.log(`Sluice on ${url} (${runner.kind} engine${o.redisUrl ? ` on ${o.redisUrl}` : ''}; data in ${o.dataDir})`);
  o.log(modeLine(o.host, tokens.size, o.oidc !== undefined));
  if (o.oidc) o.log(`OpenID Connect sign-in through ${o.oidc.issuer} (client ${o.oidc.clientId}; callback ${o.oidc.redirectUrl})`);
  if (!withEditor) o.log('the editor is not built (pnpm build:editor): serving the API alone');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopWatching?.();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Ends the runs and wakes the live streams, which then end their responses. A cluster
      // member detaches before it gives the lease up, so the next leader resumes a quiet run.
      if (cluster) await cluster.close(() => deployments.close());
      else await deployments.close();
      await debugSessions.close();
      await alerts.stop();
      if (alertRedis) await closeRedis(alertRedis);
      await recorder.close();
      await redisIngest?.quit();
      await pgStore?.close();
      await new Promise((r) => setTimeout(r, 50));
      server.closeIdleConnections();
      // Whatever still holds a connection after a grace period is cut.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
      server.closeAllConnections();
      await closed;
    })());
  return { url, port, app, deployments, close };
}

/** A secret the server reads from its environment (docs/secrets.md); unset: a clear error, logged by the caller. */
function readSecret(name: string): string {
  const v = process.env[secretEnvVar(name)];
  if (v === undefined) throw new Error(`secret ${name} is not set: set ${secretEnvVar(name)}`);
  return v;
}
