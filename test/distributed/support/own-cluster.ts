/**
 * A Redis Cluster of the test's own: three masters (`cluster-enabled yes`, no replicas) on free
 * ports, each with its own folder and an append-only file (`appendfsync always`), so a master
 * killed and restarted comes back with its slots and its data, as a restarted master of a real
 * cluster does. Fails loudly when redis-server or redis-cli is missing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { waitUntil } from '../../faults/support/wait-until.js';

interface Master {
  port: number;
  dir: string;
  proc?: ChildProcess;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port whose cluster bus port (+10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.has(p) || taken.has(p + 10_000)) continue;
    if ((await portFree(p)) && (await portFree(p + 10_000))) return p;
  }
  throw new Error('no free port pair for a Redis Cluster master');
}

export class OwnCluster {
  private constructor(readonly masters: Master[]) {}

  /** `REDIS_CLUSTER_NODES`: host:port of every master. */
  get nodes(): string {
    return this.masters.map((m) => `127.0.0.1:${m.port}`).join(',');
  }

  static async start(): Promise<OwnCluster> {
    for (const bin of ['redis-server', 'redis-cli'])
      if (spawnSync(bin, ['--version']).error)
        throw new Error(`${bin} is not installed: the cluster tests start a Redis Cluster of their own`);
    const taken = new Set<number>();
    const masters: Master[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await clusterPort(taken);
      taken.add(port);
      taken.add(port + 10_000);
      masters.push({ port, dir: mkdtempSync(join(tmpdir(), 'sluice-cluster-')) });
    }
    const c = new OwnCluster(masters);
    try {
      for (const m of masters) await c.launch(m);
      const create = spawnSync(
        'redis-cli',
        ['--cluster', 'create', ...masters.map((m) => `127.0.0.1:${m.port}`), '--cluster-replicas', '0', '--cluster-yes'],
        { encoding: 'utf8' },
      );
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
      await c.waitHealthy();
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  private async launch(m: Master): Promise<void> {
    const args = ['--port', String(m.port), '--bind', '127.0.0.1', '--dir', m.dir, '--save', ''];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
    args.push('--cluster-node-timeout', '2000');
    m.proc = spawn('redis-server', args, { stdio: 'ignore' });
    await waitUntil(
      async () => {
        if (m.proc!.exitCode !== null) throw new Error(`redis-server (cluster) on port ${m.port} exited with ${m.proc!.exitCode}`);
        return (await this.ping(m.port)) !== undefined;
      },
      20_000,
      `cluster master on port ${m.port} answering`,
    );
  }

  private async ping(port: number, command: [string, ...string[]] = ['PING']): Promise<string | undefined> {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return String(await r.call(...command));
    } catch {
      return undefined;
    } finally {
      r.disconnect();
    }
  }

  /** Every master says `cluster_state:ok` (all 16384 slots served). */
  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      async () => {
        for (const m of this.masters) if (!(await this.ping(m.port, ['CLUSTER', 'INFO']))?.includes('cluster_state:ok')) return false;
        return true;
      },
      timeoutMs,
      'the Redis Cluster to report cluster_state:ok on every master',
    );
  }

  /** A cluster client; the caller quits it. */
  client(): Cluster {
    return new Cluster(
      this.masters.map((m) => ({ host: '127.0.0.1', port: m.port })),
      { redisOptions: { maxRetriesPerRequest: null } },
    );
  }

  /** kill -9 one master, then start it again on its port and folder (its AOF and nodes.conf are loaded). */
  async restartMaster(i: number): Promise<void> {
    const m = this.masters[i]!;
    await this.kill(m);
    await this.launch(m);
    await this.waitHealthy();
  }

  private async kill(m: Master): Promise<void> {
    const p = m.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    for (const m of this.masters) {
      await this.kill(m);
      rmSync(m.dir, { recursive: true, force: true });
    }
  }
}
