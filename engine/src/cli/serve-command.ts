/**
 * `sluice serve` (= `pnpm start`): the API and the editor on PORT (8080) and HOST (127.0.0.1).
 * REDIS_URL switches the engine to BullMQ (start `sluice worker`s too); SLUICE_DATA_DIR (./data)
 * holds the pipelines; SLUICE_MAX_BODY_BYTES and SLUICE_CORS_ORIGINS (comma-separated) tune the
 * API. Binds to loopback unless told otherwise: there is no authentication yet, so another host
 * is refused unless SLUICE_ALLOW_REMOTE=1 (behind your own auth proxy).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../server/start-server.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' } } });
  const env = process.env;
  const fail = (message: string) => {
    process.stderr.write(`sluice serve: ${message}\n`);
    return 2;
  };
  const rawPort = values.port ?? env.PORT ?? '8080';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) return fail(`PORT must be a port number, got ${JSON.stringify(rawPort)}`);
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && env.SLUICE_ALLOW_REMOTE !== '1') {
    return fail(`refusing to bind ${host}: the API has no authentication yet. Bind 127.0.0.1, or set SLUICE_ALLOW_REMOTE=1 behind your own auth proxy.`);
  }
  const maxBodyBytes = env.SLUICE_MAX_BODY_BYTES ? Number(env.SLUICE_MAX_BODY_BYTES) : undefined;
  if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) return fail(`SLUICE_MAX_BODY_BYTES must be a positive number of bytes, got ${JSON.stringify(env.SLUICE_MAX_BODY_BYTES)}`);
  const corsOrigins = env.SLUICE_CORS_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean);

  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = await startServer({
    port,
    host,
    dataDir: resolve(env.SLUICE_DATA_DIR ?? 'data'),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(env.SLUICE_PREFIX ? { prefix: env.SLUICE_PREFIX } : {}),
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
    ...(corsOrigins?.length ? { corsOrigins } : {}),
    log,
  });
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
