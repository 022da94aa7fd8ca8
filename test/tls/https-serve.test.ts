/**
 * `sluice serve` over https from certificate files made by openssl here: the API answers over
 * TLS to a client trusting the test CA, every answer carries HSTS, the session cookie is
 * Secure, and a certificate replaced on disk is served to new connections without a restart
 * (a broken replacement is refused and the previous one kept).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../../engine/src/auth/token-store.js';
import { startServer } from '../../engine/src/server/start-server.js';
import { waitUntil } from '../faults/support/wait-until.js';
import { tempFolders } from '@sluice/nodes/testing';

const tmp = tempFolders('sluice-tls-');

const dir = tmp();
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
let server: Awaited<ReturnType<typeof startServer>>;
let token: string;
const logs: string[] = [];

/** A key and a certificate for localhost and 127.0.0.1, signed by the test CA. */
function makeServerCert(name: string): { cert: string; key: string; fingerprint: string } {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  );
  const cert = readFileSync(join(dir, `${name}.pem`), 'utf8');
  return { cert, key: readFileSync(join(dir, `${name}.key`), 'utf8'), fingerprint: new X509Certificate(cert).fingerprint256 };
}

/** Replaces a file the way renewals do: written beside it, then renamed over it. */
function replace(file: string, text: string): void {
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}

let ca: string;
let first: ReturnType<typeof makeServerCert>;
let second: ReturnType<typeof makeServerCert>;
const certFile = join(dir, 'server.pem');
const keyFile = join(dir, 'server.key');

beforeAll(async () => {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=Sluice test CA',
  );
  ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  first = makeServerCert('first');
  second = makeServerCert('second');
  writeFileSync(certFile, first.cert);
  writeFileSync(keyFile, first.key);
  const dataDir = tmp('data');
  const tokens = new TokenStore({ file: join(dataDir, 'tokens.json') });
  token = await tokens.add('ops', 'admin');
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    examplesDir: tmp('examples'),
    tokens,
    tls: { certFile, keyFile },
    log: (line) => logs.push(line),
  });
}, 60_000);

afterAll(() => server?.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
}

/** One request on a new connection (no agent: each sees the certificate served at that moment). */
function call(method: string, path: string, o: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((ok, fail) => {
    const data = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request(
      `${server.url}${path}`,
      { method, ca, agent: false, headers: { ...o.headers, ...(data ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint }));
      },
    );
    req.on('error', fail);
    req.end(data);
  });
}

describe('https (TLS_CERT, TLS_KEY)', () => {
  it('the API answers over https with HSTS, to a client that trusts the CA', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await call('GET', '/healthz');
    expect([health.status, health.body]).toEqual([200, '{"ok":true}']);
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(health.fingerprint).toBe(first.fingerprint);
    const list = await call('GET', '/api/pipelines', { headers: { authorization: `Bearer ${token}` } });
    expect([list.status, JSON.parse(list.body)]).toEqual([200, { pipelines: [] }]);
    // An error answer carries it too.
    expect((await call('GET', '/api/pipelines')).headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('the session cookie is Secure (and HttpOnly, SameSite=Strict)', async () => {
    const signIn = await call('POST', '/api/session', { body: { token } });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers['set-cookie'] ?? []) as string[];
    expect(cookie).toHaveLength(1);
    expect(cookie[0]).toMatch(/^sluice_session=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('a plain http request to the port is closed unanswered', async () => {
    const plain = await fetch(`${server.url.replace('https:', 'http:')}/healthz`).then(
      (r) => `HTTP ${r.status}`,
      (err: Error) => `failed: ${String((err.cause as Error | undefined)?.message ?? err.message)}`,
    );
    expect(plain).toBe('failed: other side closed');
  });

  it('a replaced certificate is served to new connections without a restart; a broken one is refused and the last good one kept', async () => {
    replace(keyFile, second.key);
    replace(certFile, second.cert);
    await waitUntil(
      async () => (await call('GET', '/healthz')).fingerprint === second.fingerprint,
      20_000,
      'the second certificate served',
    );
    expect(logs.some((l) => l.startsWith(`TLS certificate reloaded from ${certFile}`))).toBe(true);

    replace(certFile, 'not a certificate\n');
    await waitUntil(
      () => logs.some((l) => l.startsWith('TLS certificate not reloaded (keeping the previous one)')),
      20_000,
      'the broken certificate refused',
    );
    const after = await call('GET', '/healthz');
    expect([after.status, after.fingerprint]).toEqual([200, second.fingerprint]);
  });
});
