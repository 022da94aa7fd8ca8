import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { RedisOptions } from 'ioredis';
import { type RedisClient, redisWhere } from './redis-client.js';

/**
 * redis[s]://[user:pass@]host:port[/db] -> ioredis options, for every connection the engine
 * makes to its Redis (clients and BullMQ queues and workers alike). `rediss://` is TLS; the
 * certificates come from the environment (docs/operations.md, "Redis over TLS").
 */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(`REDIS_URL must start with redis:// or rediss:// (got ${u.protocol})`);
  const o: RedisOptions = { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), maxRetriesPerRequest: null };
  if (u.username) o.username = decodeURIComponent(u.username);
  if (u.password) o.password = decodeURIComponent(u.password);
  const db = u.pathname.replace('/', '');
  if (db) o.db = Number(db);
  const tls = redisTlsOptions(process.env);
  if (u.protocol === 'rediss:') o.tls = tls;
  // Certificates for a plain connection would be silently unused: say so instead.
  else if (Object.keys(tls).length > 0)
    throw new Error(
      `${Object.keys(TLS_FILES)
        .filter((k) => process.env[k])
        .join(', ')} set, but REDIS_URL is redis://: use rediss:// for TLS`,
    );
  return o;
}

/** The environment variables naming PEM files, and the TLS option each fills. */
const TLS_FILES = { REDIS_TLS_CA: 'ca', REDIS_TLS_CERT: 'cert', REDIS_TLS_KEY: 'key' } as const;

/** Read once per path: every queue and worker asks for its connection options. */
const pemCache = new Map<string, Buffer>();

/**
 * REDIS_TLS_CA: the CA that signed Redis's certificate (default: the system's CAs).
 * REDIS_TLS_CERT and REDIS_TLS_KEY: this process's client certificate, when Redis asks for one
 * (`tls-auth-clients yes`, its default).
 */
export function redisTlsOptions(env: NodeJS.ProcessEnv): Pick<TlsOptions, 'ca' | 'cert' | 'key'> {
  const o: Pick<TlsOptions, 'ca' | 'cert' | 'key'> = {};
  for (const [name, option] of Object.entries(TLS_FILES)) {
    const path = env[name];
    if (!path) continue;
    let pem = pemCache.get(path);
    if (pem === undefined) {
      try {
        pem = readFileSync(path);
      } catch (err) {
        throw new Error(`${name}=${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      pemCache.set(path, pem);
    }
    o[option] = pem;
  }
  if ((o.cert === undefined) !== (o.key === undefined))
    throw new Error('REDIS_TLS_CERT and REDIS_TLS_KEY go together: set both (the client certificate and its key) or neither');
  return o;
}

/**
 * Node's codes for a certificate Redis presented that this process does not trust (wrong CA,
 * self-signed, expired, another host's name): a setting to fix, not an outage to wait out.
 */
const CERTIFICATE_REJECTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Why the TLS handshake with Redis was refused, or undefined when `err` is something else. */
export function certificateRejected(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')
    return 'Redis asks for a client certificate (tls-auth-clients): set REDIS_TLS_CERT and REDIS_TLS_KEY (docs/operations.md, "Redis over TLS")';
  if (typeof code !== 'string' || !CERTIFICATE_REJECTED.has(code)) return undefined;
  return `Redis's TLS certificate is not trusted (${code}: ${(err as Error).message}); set REDIS_TLS_CA to the CA file that signed it (docs/operations.md, "Redis over TLS")`;
}

/** QUIT when connected (pending replies arrive first); otherwise drop the reconnect loop at once. */
export async function closeRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') await redis.quit();
  else redis.disconnect();
}

/**
 * One line per outage instead of ioredis' "[ioredis] Unhandled error event" stack on every
 * retry (a worker started before Redis keeps retrying; that is expected, not a crash), and one
 * line when it is back. Names host:port only: a URL may carry a password.
 */
export function reportRedisErrors(redis: RedisClient, url: string, log: ((line: string) => void) | undefined): void {
  const where = `Redis ${redisWhere(url)}`;
  let down: string | undefined;
  redis.on('error', (err: Error) => {
    const why = err.message || String(err);
    if (down === why) return;
    down = why;
    log?.(`${where} unreachable (${why}); retrying`);
  });
  redis.on('ready', () => {
    if (down === undefined) return;
    down = undefined;
    log?.(`${where} reachable again`);
  });
}
