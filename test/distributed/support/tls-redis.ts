/**
 * A redis-server of the test's own that speaks TLS only, on a free port, with certificates made
 * by openssl at setup in a temporary folder: a CA, Redis's certificate (for 127.0.0.1 and
 * localhost) and a client certificate signed by it, and a second CA that signed nothing Redis
 * presents. Redis asks clients for a certificate (`tls-auth-clients yes`). Fails loudly when
 * redis-server has no TLS or openssl is missing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../faults/support/own-redis.js';
import { waitUntil } from '../../faults/support/wait-until.js';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
  /** A CA that did not sign Redis's certificate. */
  otherCa: string;
}

export class TlsRedis {
  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly files: TlsFiles,
    private readonly proc: ChildProcess,
  ) {}

  static async start(): Promise<TlsRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-redis-'));
    const files = makeCertificates(dir);
    const port = await freePort();
    const args = ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    args.push(
      '--tls-cert-file',
      join(dir, 'redis.pem'),
      '--tls-key-file',
      join(dir, 'redis.key'),
      '--tls-ca-cert-file',
      files.ca,
      '--tls-auth-clients',
      'yes',
    );
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    proc.once('error', (err) => (log += `${err.message} (apt-get install redis-server)`));
    const r = new TlsRedis(port, dir, files, proc);
    try {
      await waitUntil(
        async () => {
          if (proc.exitCode !== null || log.includes('apt-get'))
            throw new Error(`redis-server with TLS did not start (is it built with TLS?): ${log}`);
          return r.answers();
        },
        20_000,
        `redis-server with TLS answering on port ${port}`,
      );
    } catch (err) {
      await r.stop();
      throw err;
    }
    return r;
  }

  get url(): string {
    return `rediss://127.0.0.1:${this.port}`;
  }

  /** The environment a Sluice process needs to reach it. */
  get env(): Record<string, string> {
    return { REDIS_URL: this.url, REDIS_TLS_CA: this.files.ca, REDIS_TLS_CERT: this.files.cert, REDIS_TLS_KEY: this.files.key };
  }

  /** A client over TLS; the caller quits it. */
  client(): Redis {
    const f = this.files;
    return new Redis({
      host: '127.0.0.1',
      port: this.port,
      maxRetriesPerRequest: 1,
      tls: { ca: readFileSync(f.ca), cert: readFileSync(f.cert), key: readFileSync(f.key) },
    });
  }

  private async answers(): Promise<boolean> {
    const c = this.client();
    c.on('error', () => undefined);
    try {
      return (await c.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      c.disconnect();
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`openssl ${args[0]} failed (apt-get install openssl): ${(err as Error).message}`);
  }
}

/** A CA; Redis's certificate and a client's, signed by it; another CA. One day each. */
function makeCertificates(dir: string): TlsFiles {
  const ca = (name: string) =>
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    ]);
  ca('sluice-test-ca');
  ca('sluice-other-ca');
  const signed = (name: string, ext: string) => {
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'sluice-test-ca.pem',
      '-CAkey',
      'sluice-test-ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ]);
  };
  signed('redis', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: join(dir, 'sluice-test-ca.pem'),
    cert: join(dir, 'client.pem'),
    key: join(dir, 'client.key'),
    otherCa: join(dir, 'sluice-other-ca.pem'),
  };
}
