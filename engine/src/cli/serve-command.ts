import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../server/start-server.js';

/**
 * `sluice serve`: PORT (8080) and HOST (127.0.0.1) from the environment; REDIS_URL switches to
 * BullMQ; SLUICE_DATA_DIR (./data) holds the pipelines. Binds to loopback unless told otherwise:
 * there is no authentication yet, so another host is refused unless SLUICE_ALLOW_REMOTE=1.
 */
export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' } } });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`sluice serve: PORT must be a port number, got ${JSON.stringify(values.port ?? process.env.PORT)}\n`);
    return 2;
  }
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  if (!loopback && process.env.SLUICE_ALLOW_REMOTE !== '1') {
    process.stderr.write(`sluice serve: refusing to bind ${host}: the API has no authentication yet. Bind 127.0.0.1, or set SLUICE_ALLOW_REMOTE=1 behind your own auth proxy.\n`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = await startServer({
    port,
    host,
    dataDir: resolve(process.env.SLUICE_DATA_DIR ?? 'data'),
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    ...(process.env.SLUICE_PREFIX ? { prefix: process.env.SLUICE_PREFIX } : {}),
    log,
  });
  await new Promise<void>((r) => {
    process.once('SIGINT', () => r());
    process.once('SIGTERM', () => r());
  });
  log('shutting down: stopping runs, flushing sinks');
  await server.close();
  return 0;
}
