/**
 * One way to connect to Sluice's Redis, standalone or Redis Cluster (docs/redis-cluster.md).
 *
 * A cluster is named by a URL, so it flows through every place a Redis URL already goes (the
 * server, `sluice run`, the workers it spawns): `redis-cluster://[user:pass@]host:port,host:port`
 * (`rediss-cluster://` for TLS, with the REDIS_TLS_* files). `REDIS_CLUSTER_NODES=host:port,...`
 * builds that URL, taking credentials and TLS from REDIS_URL when it is set too.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import { redisOptions, redisTlsOptions } from './redis-options.js';

export type RedisClient = Redis | Cluster;

const CLUSTER_SCHEMES = new Set(['redis-cluster:', 'rediss-cluster:']);

export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEMES.has(`${url.split('://')[0]}:`);
}

export interface ClusterTarget {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

/** `redis-cluster://[user:pass@]h:p,h:p[/]` -> seed nodes and credentials; errors name what is wrong. */
export function parseClusterUrl(url: string): ClusterTarget {
  const [scheme, rest = ''] = url.split('://', 2) as [string, string?];
  if (!CLUSTER_SCHEMES.has(`${scheme}:`)) throw new Error(`not a Redis Cluster URL (redis-cluster:// or rediss-cluster://): ${scheme}://`);
  const at = rest.lastIndexOf('@');
  const auth = at >= 0 ? rest.slice(0, at) : '';
  const hosts = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/$/, '');
  const nodes = hosts
    .split(',')
    .filter((h) => h !== '')
    .map((h) => {
      const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(h.trim());
      if (!m) throw new Error(`Redis Cluster node "${h}" must be host:port`);
      return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
    });
  if (nodes.length === 0) throw new Error('a Redis Cluster URL names at least one node (host:port)');
  const target: ClusterTarget = { nodes, tls: scheme === 'rediss-cluster' };
  if (auth) {
    const colon = auth.indexOf(':');
    const user = colon >= 0 ? auth.slice(0, colon) : auth;
    const pass = colon >= 0 ? auth.slice(colon + 1) : '';
    if (user) target.username = decodeURIComponent(user);
    if (pass) target.password = decodeURIComponent(pass);
  }
  return target;
}

/** The Redis URL this process uses: REDIS_CLUSTER_NODES (with REDIS_URL's credentials) or REDIS_URL, else `fallback`. */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv, fallback?: string): string | undefined {
  const nodes = env.REDIS_CLUSTER_NODES?.trim();
  // A cluster URL already (a worker spawned by `sluice run` inherits both): it is the one.
  if (!nodes || (env.REDIS_URL && isClusterUrl(env.REDIS_URL))) return env.REDIS_URL ?? fallback;
  let scheme = 'redis-cluster';
  let auth = '';
  if (env.REDIS_URL) {
    const u = new URL(env.REDIS_URL);
    if (u.protocol === 'rediss:') scheme = 'rediss-cluster';
    if (u.username || u.password) auth = `${u.username}${u.password ? `:${u.password}` : ''}@`;
  }
  const url = `${scheme}://${auth}${nodes}`;
  parseClusterUrl(url); // a malformed list fails here, naming the node
  return url;
}

/** Options every cluster connection's node clients get (credentials, TLS, BullMQ's retry rule). */
function clusterNodeOptions(t: ClusterTarget): RedisOptions {
  const o: RedisOptions = { maxRetriesPerRequest: null };
  if (t.username) o.username = t.username;
  if (t.password) o.password = t.password;
  if (t.tls) o.tls = redisTlsOptions(process.env);
  return o;
}

/** A client for `url`: an ioredis Cluster for a cluster URL, else a plain connection. */
export function createRedis(url: string, extra: RedisOptions = {}): RedisClient {
  if (!isClusterUrl(url)) return new Redis({ ...redisOptions(url), ...extra });
  const t = parseClusterUrl(url);
  return new Cluster(t.nodes, {
    redisOptions: { ...clusterNodeOptions(t), ...extra },
    // A master restarting or failing over is a wait, not an end: retry (every 200 ms, for minutes)
    // where ioredis would give up after 16 redirections (about 2 s of CLUSTERDOWN).
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    maxRedirections: 1000,
    retryDelayOnClusterDown: 200,
    retryDelayOnFailover: 200,
    retryDelayOnTryAgain: 200,
    enableReadyCheck: true,
  });
}

/** The masters of a cluster (each holds part of the keys), or the one connection. */
export function keyHolders(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** SCAN MATCH `pattern` over every master (a cluster spreads keys), calling `each` per page. */
export async function scanAll(
  client: RedisClient,
  pattern: string,
  each: (keys: string[]) => Promise<void> | void,
  count = 1000,
): Promise<void> {
  for (const node of keyHolders(client)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (found.length > 0) await each(found);
    } while (cursor !== '0');
  }
}

/**
 * Deletes keys that may live on different masters: one DEL per key on a cluster (a multi-key DEL
 * must stay in one slot), one DEL for all on a single Redis.
 */
export async function delKeys(client: RedisClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  if (client instanceof Cluster) await Promise.all(keys.map((k) => client.del(k)));
  else await client.del(...keys);
}

/**
 * The connection BullMQ queues and workers get: one ioredis client (a Cluster on a cluster),
 * made on first use, shared by the owner's queues (BullMQ duplicates it for each Worker's
 * connections) and closed by `close()`, since BullMQ never closes a connection it was given.
 * One client, not one per queue: BullMQ defines its Lua scripts on every new client (a SHA-1 of
 * each and each sent in full once), per queue and per run otherwise (docs/benchmarks.md).
 */
export class BullConnections {
  private client: RedisClient | undefined;

  constructor(private readonly url: string) {}

  get(): ConnectionOptions {
    if (!this.client) {
      this.client = createRedis(this.url);
      // Between runs no BullMQ object listens; its queues and workers report errors while they live.
      this.client.on('error', () => undefined);
    }
    return this.client;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.quit().catch(() => c.disconnect());
  }
}

/** Where Redis is, for messages: host:port, or the cluster's seed nodes; never credentials. */
export function redisWhere(url: string): string {
  if (isClusterUrl(url))
    return `cluster ${parseClusterUrl(url)
      .nodes.map((n) => `${n.host}:${n.port}`)
      .join(',')}`;
  return new URL(url).host;
}

/**
 * A client that tries once and gives up (a start-up check or a listing must not wait for a Redis
 * that is away): lazy, no retries, a connect timeout.
 */
export function createRedisOnce(url: string, connectTimeout: number): RedisClient {
  if (!isClusterUrl(url))
    return new Redis({ ...redisOptions(url), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout });
  const t = parseClusterUrl(url);
  return new Cluster(t.nodes, {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    redisOptions: { ...clusterNodeOptions(t), maxRetriesPerRequest: 0, connectTimeout },
  });
}

/** A second connection to the same Redis or cluster (a subscriber). */
export function duplicateClient(client: RedisClient): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate();
}
