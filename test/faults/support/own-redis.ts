/**
 * A Redis of the drill's own: `redis-server` on a free port with its own folder, so a drill
 * can restart it, kill it or lose its data without touching the shared Redis on 6379.
 * Fails loudly when redis-server is not installed (apt-get install redis-server).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface OwnRedisOptions {
  /** Append-only file on (`appendfsync always`), so a kill -9 keeps what was acknowledged. */
  aof?: boolean;
  /** e.g. `allkeys-lru` with `maxmemory: '8mb'`: for the eviction drill. */
  maxmemoryPolicy?: string;
  maxmemory?: string;
  /** Also listen on this address (protected mode off): for processes in other network namespaces (test/multihost). */
  alsoBind?: string;
  /** Disable CONFIG (`rename-command CONFIG ""`), as managed Redis services do. */
  noConfig?: boolean;
}

export class OwnRedis {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: OwnRedisOptions,
  ) {}

  static async start(options: OwnRedisOptions = {}): Promise<OwnRedis> {
    const which = spawnSync('redis-server', ['--version']);
    if (which.error)
      throw new Error('redis-server is not installed: the fault drills start Redis servers of their own (apt-get install redis-server)');
    const r = new OwnRedis(await freePort(), mkdtempSync(join(tmpdir(), 'sluice-own-redis-')), options);
    await r.launch();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private async launch(): Promise<void> {
    const o = this.options;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', ...(o.alsoBind ? [o.alsoBind] : []), '--dir', this.dir, '--save', ''];
    if (o.alsoBind) args.push('--protected-mode', 'no');
    args.push('--appendonly', o.aof ? 'yes' : 'no');
    if (o.aof) args.push('--appendfsync', 'always');
    if (o.maxmemoryPolicy) args.push('--maxmemory-policy', o.maxmemoryPolicy);
    if (o.maxmemory) args.push('--maxmemory', o.maxmemory);
    if (o.noConfig) args.push('--rename-command', 'CONFIG', '');
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    this.proc = proc;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited with ${proc.exitCode}`);
      if (await this.answers()) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer within 20 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async answers(): Promise<boolean> {
    const c = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectTimeout: 1000,
    });
    c.on('error', () => {});
    try {
      await c.connect();
      return (await c.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      c.disconnect();
    }
  }

  /** A client; the caller quits it. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: null });
  }

  /** `SHUTDOWN NOSAVE`: Redis goes away and, without AOF, comes back empty on restart(). */
  async shutdownNosave(): Promise<void> {
    const c = new Redis(this.url, { maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    await c.call('SHUTDOWN', 'NOSAVE').catch(() => {});
    c.disconnect();
    await this.exited();
  }

  /** kill -9 of redis-server. */
  async kill9(): Promise<void> {
    this.proc?.kill('SIGKILL');
    await this.exited();
  }

  /** Starts it again on the same port and folder (an AOF there is loaded). */
  async restart(): Promise<void> {
    await this.launch();
  }

  private async exited(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise((r) => p.once('exit', r));
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await this.exited();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}
