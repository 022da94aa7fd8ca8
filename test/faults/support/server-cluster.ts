/**
 * Several `sluice serve` processes on one Redis prefix and one PostgreSQL schema (a cluster:
 * docs/multi-server.md), for the leader drills: start a server, read its log, ask who leads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, type Server } from './sluice-server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'engine/src/cli/main.ts');

export interface ClusterEnv {
  redisUrl: string;
  prefix: string;
  dataDir: string;
  databaseUrl: string;
  schema: string;
}

export interface ClusterServer extends Server {
  /** Its log so far (stderr). */
  log(): string;
}

interface ClusterBody {
  self: string;
  leader?: { id: string; since: string; token: string };
  servers: { id: string; pid: number; leader: boolean }[];
}

/**
 * `sluice serve` on a free port; resolves once it listens (a leader has resumed its pipelines by
 * then). `extra`: more environment for this server (a drill's knobs).
 */
export function startClusterServer(env: ClusterEnv, children: ChildProcess[], extra: Record<string, string> = {}): Promise<ClusterServer> {
  const p = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: {
      ...process.env,
      REDIS_URL: env.redisUrl,
      SLUICE_PREFIX: env.prefix,
      SLUICE_DATA_DIR: env.dataDir,
      DATABASE_URL: env.databaseUrl,
      SLUICE_DB_SCHEMA: env.schema,
      SLUICE_LOG_FORMAT: 'json',
      HOST: '127.0.0.1',
      ...extra,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(p); // the caller kills what is left, whatever happens
  let log = '';
  return new Promise((resolve, reject) => {
    p.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (process.env.SLUICE_DRILL_SERVER_LOG === '1') process.stderr.write(`[serve ${p.pid}] ${d}`);
      const m = /Sluice on (http:\/\/[^\s"]+)/.exec(log);
      if (m) resolve({ url: m[1]!, process: p, log: () => log });
    });
    p.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${log}`)));
  });
}

/** GET /api/cluster on `server`. */
export async function clusterOf(server: Server): Promise<ClusterBody> {
  const r = await call(server, 'GET', '/api/cluster');
  if (r.status !== 200) throw new Error(`GET /api/cluster answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json as ClusterBody;
}

/** The pid of the server holding the lease, as `server` sees it (undefined: none). */
export async function leaderPid(server: Server): Promise<number | undefined> {
  const c = await clusterOf(server);
  return c.servers.find((s) => s.id === c.leader?.id)?.pid;
}
