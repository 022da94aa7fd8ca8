/**
 * `sluice serve` (= `pnpm start`): the API and the editor on PORT (8080) and HOST (127.0.0.1).
 * REDIS_URL switches the engine to BullMQ (start `sluice worker`s too); SLUICE_DATA_DIR (./data)
 * holds the pipelines (with DATABASE_URL, PostgreSQL holds them, schema SLUICE_DB_SCHEMA or
 * `sluice`); SLUICE_MAX_BODY_BYTES and SLUICE_CORS_ORIGINS (comma-separated) tune the API.
 * Binds to loopback unless told otherwise; another host needs API tokens first
 * (`sluice token add`; docs/auth.md), else the start is refused. SLUICE_LOG_LEVEL (info) and
 * SLUICE_LOG_FORMAT (json off a terminal, pretty on one) shape the log on stderr. TLS_CERT and
 * TLS_KEY (or --tls-cert/--tls-key) serve https; SLUICE_OIDC_* adds OpenID Connect sign-in.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BindingRefused } from '../auth/binding.js';
import { OidcConfigError, type OidcSettings, oidcSettingsFromEnv } from '../auth/oidc-settings.js';
import { TokenConfigError } from '../auth/token-store.js';
import { createLogger, loggerOptionsFromEnv } from '../logging/logger.js';
import { sweepDeadRunsAt } from '../runners/bullmq/prefix-janitor.js';
import { redisUrlFromEnv } from '../runners/bullmq/redis-client.js';
import { RedisConfigRefused } from '../runners/bullmq/redis-requirements.js';
import { startServer } from '../server/start-server.js';
import { TlsConfigError } from '../server/tls-files.js';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, host: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' } },
  });
  const env = process.env;
  const fail = (message: string) => {
    process.stderr.write(`sluice serve: ${message}\n`);
    return 2;
  };
  const rawPort = values.port ?? env.PORT ?? '8080';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) return fail(`PORT must be a port number, got ${JSON.stringify(rawPort)}`);
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const maxBodyBytes = env.SLUICE_MAX_BODY_BYTES ? Number(env.SLUICE_MAX_BODY_BYTES) : undefined;
  if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0))
    return fail(`SLUICE_MAX_BODY_BYTES must be a positive number of bytes, got ${JSON.stringify(env.SLUICE_MAX_BODY_BYTES)}`);
  const maxFileBytes = env.SLUICE_MAX_FILE_BYTES ? Number(env.SLUICE_MAX_FILE_BYTES) : undefined;
  if (maxFileBytes !== undefined && !(Number.isInteger(maxFileBytes) && maxFileBytes > 0))
    return fail(`SLUICE_MAX_FILE_BYTES must be a positive number of bytes, got ${JSON.stringify(env.SLUICE_MAX_FILE_BYTES)}`);
  const list = (v: string | undefined) =>
    v
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  const corsOrigins = list(env.SLUICE_CORS_ORIGINS);
  const allowedHosts = list(env.SLUICE_ALLOWED_HOSTS);
  const allowedOrigins = list(env.SLUICE_ALLOWED_ORIGINS);
  const certFile = values['tls-cert'] ?? env.TLS_CERT;
  const keyFile = values['tls-key'] ?? env.TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined))
    return fail('TLS_CERT and TLS_KEY (or --tls-cert and --tls-key) go together: give both files, or neither');
  let oidc: OidcSettings | undefined;
  try {
    oidc = oidcSettingsFromEnv(env);
  } catch (err) {
    if (err instanceof OidcConfigError) return fail(err.message);
    throw err;
  }

  let redisUrl: string | undefined;
  try {
    redisUrl = redisUrlFromEnv(env); // REDIS_CLUSTER_NODES or REDIS_URL; a malformed list stops here
  } catch (err) {
    return fail(`REDIS_CLUSTER_NODES: ${(err as Error).message}`);
  }
  const logOptions = loggerOptionsFromEnv(env);
  if (typeof logOptions === 'string') return fail(logOptions);
  // JSON lines on stderr unless it is a terminal (SLUICE_LOG_FORMAT overrides); docs/operations.md.
  const logger = createLogger(logOptions);
  const log = (line: string) => logger.info(line);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      port,
      host,
      dataDir: resolve(env.SLUICE_DATA_DIR ?? 'data'),
      // A new user watches the examples run: live forms, not the 2-second benchmarks (docs/live-examples.md).
      liveExamples: true,
      ...(redisUrl ? { redisUrl } : {}),
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      ...(env.SLUICE_DB_SCHEMA ? { databaseSchema: env.SLUICE_DB_SCHEMA } : {}),
      ...(env.SLUICE_PREFIX ? { prefix: env.SLUICE_PREFIX } : {}),
      ...(maxBodyBytes ? { maxBodyBytes } : {}),
      ...(maxFileBytes ? { maxFileBytes } : {}),
      ...(corsOrigins.length ? { corsOrigins } : {}),
      ...(allowedHosts.length ? { allowedHosts } : {}),
      ...(allowedOrigins.length ? { allowedOrigins } : {}),
      ...(certFile && keyFile ? { tls: { certFile: resolve(certFile), keyFile: resolve(keyFile) } } : {}),
      ...(oidc ? { oidc } : {}),
      log: logger,
    });
  } catch (err) {
    // Bad configuration (a public bind without tokens, a broken tokens file): one clear line.
    if (
      err instanceof BindingRefused ||
      err instanceof TokenConfigError ||
      err instanceof RedisConfigRefused ||
      err instanceof TlsConfigError
    )
      return fail(err.message);
    throw err;
  }
  // What killed `sluice run`s left in this Redis (never the server's own deployments), meanwhile.
  if (redisUrl) void sweepDeadRunsAt(redisUrl, log);
  await new Promise<void>((r) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log(`${signal}: shutting down (stopping runs, flushing sinks); again to quit at once`);
      process.once(signal, () => process.exit(130));
      r();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await server.close();
  log('stopped');
  return 0;
}
