/**
 * A small network of "hosts" on one machine: each host is a Linux network namespace joined to a
 * bridge by a veth link, so processes in it share nothing with the others but what the test puts
 * on the bridge (a Redis bound to the bridge address, a proxy to PostgreSQL). A host's link can be
 * cut (`ip link set down`) and restored. Needs root and iproute2; fails with a clear message
 * otherwise (these machines allow it: docs/deploy.md, "What the test suite runs").
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '@sluice/engine';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'engine/src/cli/main.ts');

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`the multi-host test needs iproute2 (\`ip\`): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

export interface Host {
  name: string;
  /** The host's address on the bridge. */
  address: string;
  /** The root side of its veth link: setting it down cuts the host off. */
  link: string;
  netns: string;
}

export class NetLab {
  readonly hosts: Host[] = [];
  private readonly processes: ChildProcess[] = [];
  private readonly proxies: Server[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly tag: string,
    /** First three octets of the lab's /24. */
    private readonly net: string,
  ) {}

  /** The bridge's own address: where the test's Redis and proxies listen. */
  get gateway(): string {
    return `${this.net}.1`;
  }

  private get bridge(): string {
    return `slb${this.tag}`;
  }

  static create(): NetLab {
    if (process.getuid?.() !== 0) throw new Error('the multi-host test needs root (it creates network namespaces with `ip netns`)');
    const used = spawnSync('ip', ['-o', '-4', 'addr'], { encoding: 'utf8' }).stdout ?? '';
    let net = '';
    for (let i = 0; i < 50 && (net === '' || used.includes(` ${net}.`)); i++)
      net = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]}`;
    const lab = new NetLab(randomBytes(3).toString('hex'), net);
    try {
      ip(['link', 'add', 'name', lab.bridge, 'type', 'bridge']);
      ip(['addr', 'add', `${lab.gateway}/24`, 'dev', lab.bridge]);
      ip(['link', 'set', lab.bridge, 'up']);
    } catch (err) {
      lab.destroyNetwork();
      throw new Error(`cannot build the test network (a bridge and network namespaces, as root): ${(err as Error).message}`);
    }
    return lab;
  }

  /** A new host: its own namespace, loopback up, an address on the bridge. */
  addHost(name: string): Host {
    const i = this.hosts.length + 10;
    const host: Host = { name, address: `${this.net}.${i}`, link: `slv${this.tag}${i}`, netns: `sl-${this.tag}-${name}` };
    ip(['netns', 'add', host.netns]);
    this.hosts.push(host);
    ip(['link', 'add', host.link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.netns]);
    ip(['link', 'set', host.link, 'master', this.bridge]);
    ip(['link', 'set', host.link, 'up']);
    ip(['-n', host.netns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
    ip(['-n', host.netns, 'link', 'set', 'eth0', 'up']);
    ip(['-n', host.netns, 'link', 'set', 'lo', 'up']);
    return host;
  }

  /** `sluice <args>` inside the host's namespace (the lab kills it at the end). */
  sluice(host: Host, args: string[], env: Record<string, string>, onStderr?: (chunk: string) => void): ChildProcess {
    const p = spawn('ip', ['netns', 'exec', host.netns, process.execPath, '--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.processes.push(p);
    p.stderr!.on('data', (d: Buffer) => onStderr?.(d.toString()));
    return p;
  }

  /** Cuts the host's link (packets dropped both ways, connections hang as on a real cut). */
  cut(host: Host): void {
    ip(['link', 'set', host.link, 'down']);
  }

  restore(host: Host): void {
    ip(['link', 'set', host.link, 'up']);
  }

  /** A TCP proxy on the bridge to a service on this machine's loopback (PostgreSQL); resolves to its port. */
  proxy(targetPort: number): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    this.proxies.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.gateway, () => resolve((server.address() as { port: number }).port));
    });
  }

  /** Kills every process started here, closes the proxies, deletes the namespaces and the bridge. */
  async destroy(): Promise<void> {
    await Promise.all(this.processes.map((p) => stopProcess(p, 'SIGKILL')));
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.proxies.map((s) => new Promise((r) => s.close(r))));
    this.destroyNetwork();
  }

  private destroyNetwork(): void {
    for (const h of this.hosts.splice(0)) spawnSync('ip', ['netns', 'del', h.netns]); // takes its veth pair with it
    spawnSync('ip', ['link', 'del', this.bridge]);
  }
}
