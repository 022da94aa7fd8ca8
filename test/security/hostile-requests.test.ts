/**
 * Hostile requests at every HTTP door (issue 10 items 2, 7, 8, 9, 11), each naming what it
 * expects. The table runs against a real app (file store, embedded runner) in local-only mode
 * unless a case says `tokens`; multi-step attacks (brute force, a copied cookie) follow it.
 * Everything here is refused, so the stored pipelines must be unchanged at the end.
 */
import { MAX_DOCUMENT_DEPTH, MAX_RECORD_DEPTH } from '@sluice/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '@sluice/engine';
import { type AuthTestApi, authTestApi, closeTestApis, generatorDoc, httpSourceDoc, type TestApi, testApi } from '@sluice/engine/testing';

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  /** Send the body as a Blob with no type: the request then has no content-type at all. */
  typeless?: true;
  headers?: Record<string, string>;
  /** Scheme and authority the request is addressed to (the Host header); default the server's own. */
  base?: string;
  /** Run against the token-mode app as this role's bearer token or signed-in cookie. */
  tokens?: 'bearer' | 'cookie';
  status: number;
  /** Error code, when the answer is an error. */
  code?: string;
  /** A fragment the answer's text must hold (the reason, a diagnostic). */
  says?: string;
}

const OWN = 'http://127.0.0.1:8080';
const JSON_TYPE = { 'content-type': 'application/json' };
const EVIL = { origin: 'http://evil.example', ...JSON_TYPE };
const arrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const doc = JSON.stringify(generatorDoc());
const deepDoc = doc.replace(/}$/, `,"extra":${arrays(100_000)}}`);
const oversize = JSON.stringify({ ...generatorDoc(), description: 'x'.repeat(DEFAULT_MAX_BODY_BYTES) });
const withParam = (name: string) =>
  JSON.stringify({ ...generatorDoc(`p-${name.replace(/_/g, '')}`), params: { [name]: { type: 'number', value: 1 } } });

const crossSite = (method: string, path: string, body?: string): Case => ({
  name: `cross-site Origin: ${method} ${path}`,
  method,
  path,
  ...(body === undefined ? {} : { body }),
  headers: EVIL,
  status: 403,
  code: 'cross-origin',
  says: 'origin \\"http://evil.example\\"',
});

// prettier-ignore
const CASES: Case[] = [
  // A page on another site, on every state-changing route (item 2).
  crossSite('POST', '/api/pipelines', doc),
  crossSite('POST', '/api/pipelines?action=import', doc),
  crossSite('PUT', '/api/pipelines/live', doc),
  crossSite('PATCH', '/api/pipelines/live', '{}'),
  crossSite('DELETE', '/api/pipelines/live'),
  crossSite('POST', '/api/pipelines/live/rollback', '{"version":1}'),
  crossSite('POST', '/api/pipelines/live/validate'),
  crossSite('POST', '/api/pipelines/live/deploy'),
  crossSite('POST', '/api/pipelines/live/stop'),
  crossSite('POST', '/api/pipelines/live/preview', '{}'),
  crossSite('POST', '/api/pipelines/live/nodes/orders/check', '{}'),
  crossSite('POST', '/api/ingest/inbound/http', '{"a":1}'),
  crossSite('POST', '/api/session', '{"token":"x"}'),
  crossSite('DELETE', '/api/session'),
  // Same site, other port: the Strict cookie would ride along.
  {
    name: 'same-site other port Origin: create',
    method: 'POST',
    path: '/api/pipelines',
    body: doc,
    headers: { origin: 'http://127.0.0.1:5555', ...JSON_TYPE },
    status: 403,
    code: 'cross-origin',
    says: '127.0.0.1:5555',
  },
  {
    name: 'same-site other port Origin: deploy',
    method: 'POST',
    path: '/api/pipelines/live/deploy',
    headers: { origin: 'http://localhost:3000' },
    status: 403,
    code: 'cross-origin',
  },
  {
    name: 'Sec-Fetch-Site same-site without Origin',
    method: 'DELETE',
    path: '/api/pipelines/live',
    headers: { 'sec-fetch-site': 'same-site' },
    status: 403,
    code: 'cross-origin',
    says: 'Sec-Fetch-Site is same-site',
  },
  {
    name: 'Sec-Fetch-Site cross-site without Origin',
    method: 'POST',
    path: '/api/pipelines',
    body: doc,
    headers: { 'sec-fetch-site': 'cross-site', ...JSON_TYPE },
    status: 403,
    code: 'cross-origin',
    says: 'Sec-Fetch-Site is cross-site',
  },
  {
    name: 'Origin null (sandboxed frame, file: page)',
    method: 'POST',
    path: '/api/pipelines/live/deploy',
    headers: { origin: 'null' },
    status: 403,
    code: 'cross-origin',
  },
  {
    name: 'Origin that only starts like ours',
    method: 'POST',
    path: '/api/pipelines/live/stop',
    headers: { origin: 'http://127.0.0.1:8080.evil.example' },
    status: 403,
    code: 'cross-origin',
  },
  // DNS rebinding: a name the attacker controls now resolves to 127.0.0.1 (reads too).
  {
    name: 'rebound Host: list pipelines',
    method: 'GET',
    path: '/api/pipelines',
    base: 'http://rebind.attacker.example:8080',
    status: 421,
    code: 'unknown-host',
    says: 'rebind.attacker.example:8080',
  },
  {
    name: 'rebound Host: read a document',
    method: 'GET',
    path: '/api/pipelines/live',
    base: 'http://rebind.attacker.example:8080',
    status: 421,
    code: 'unknown-host',
  },
  {
    name: 'rebound Host: metrics',
    method: 'GET',
    path: '/metrics',
    base: 'http://rebind.attacker.example:8080',
    status: 421,
    code: 'unknown-host',
  },
  {
    name: 'rebound Host: live stream',
    method: 'GET',
    path: '/api/pipelines/live/metrics',
    base: 'http://rebind.attacker.example:8080',
    status: 421,
    code: 'unknown-host',
  },
  {
    name: 'rebound Host: create (same-origin to the browser)',
    method: 'POST',
    path: '/api/pipelines',
    body: doc,
    base: 'http://rebind.attacker.example:8080',
    headers: { origin: 'http://rebind.attacker.example:8080', ...JSON_TYPE },
    status: 421,
    code: 'unknown-host',
  },
  {
    name: 'rebound Host: a loopback-looking name',
    method: 'GET',
    path: '/api/pipelines',
    base: 'http://127.0.0.1.nip.io:8080',
    status: 421,
    code: 'unknown-host',
  },
  // Bodies a page can send without a preflight.
  {
    name: 'text/plain create',
    method: 'POST',
    path: '/api/pipelines',
    body: doc,
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported-media-type',
    says: 'takes application/json',
  },
  {
    name: 'form create',
    method: 'POST',
    path: '/api/pipelines',
    body: doc,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'multipart create',
    method: 'POST',
    path: '/api/pipelines',
    body: doc,
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'typeless body (a Blob)',
    method: 'POST',
    path: '/api/pipelines',
    body: doc,
    typeless: true,
    status: 415,
    code: 'unsupported-media-type',
    says: 'no content-type',
  },
  {
    name: 'text/plain save',
    method: 'PUT',
    path: '/api/pipelines/live',
    body: doc,
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'text/plain deploy body',
    method: 'POST',
    path: '/api/pipelines/live/deploy',
    body: '{"params":{}}',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported-media-type',
  },
  {
    name: 'text/plain ingest',
    method: 'POST',
    path: '/api/ingest/inbound/http',
    body: '{"a":1}',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported-media-type',
    says: 'application/x-ndjson',
  },
  // 100,000-deep JSON at every door (items 7 and 8).
  {
    name: 'deep document: create',
    method: 'POST',
    path: '/api/pipelines',
    body: deepDoc,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
    says: `the limit is ${MAX_DOCUMENT_DEPTH}`,
  },
  {
    name: 'deep document: import',
    method: 'POST',
    path: '/api/pipelines?action=import',
    body: deepDoc,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
  },
  {
    name: 'deep document: save',
    method: 'PUT',
    path: '/api/pipelines/live',
    body: deepDoc,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
  },
  {
    name: 'deep body: deploy params',
    method: 'POST',
    path: '/api/pipelines/live/deploy',
    body: `{"params":${arrays(100_000)}}`,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
  },
  {
    name: 'deep body: rollback',
    method: 'POST',
    path: '/api/pipelines/live/rollback',
    body: `{"version":${arrays(100_000)}}`,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
  },
  {
    name: 'deep body: connection check',
    method: 'POST',
    path: '/api/pipelines/live/nodes/orders/check',
    body: `{"config":${arrays(100_000)}}`,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
  },
  {
    name: 'deep draft: preview',
    method: 'POST',
    path: '/api/pipelines/live/preview',
    body: `{"document":${arrays(100_000)}}`,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
  },
  {
    name: 'deep uploaded event: preview',
    method: 'POST',
    path: '/api/pipelines/inbound/preview',
    body: `{"events":{"http":[{"d":${arrays(MAX_RECORD_DEPTH)}}]}}`,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
    says: 'events.http[0]',
  },
  {
    name: 'deep record: ingest object',
    method: 'POST',
    path: '/api/ingest/inbound/http',
    body: `{"d":${arrays(100_000)}}`,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
    says: 'record 0 nests deeper than 32',
  },
  {
    name: 'deep record: ingest array, record 2',
    method: 'POST',
    path: '/api/ingest/inbound/http',
    body: `[{},{},{"d":${arrays(5_000)}}]`,
    headers: JSON_TYPE,
    status: 400,
    code: 'too-deep',
    says: 'record 2 ',
  },
  {
    name: 'deep record: ingest NDJSON line 3',
    method: 'POST',
    path: '/api/ingest/inbound/http',
    body: `{}\n{}\n{"d":${arrays(5_000)}}`,
    headers: { 'content-type': 'application/x-ndjson' },
    status: 400,
    code: 'too-deep',
    says: 'record 2 (line 3)',
  },
  {
    name: 'deep body: sign-in',
    method: 'POST',
    path: '/api/session',
    body: `{"token":${arrays(100_000)}}`,
    headers: JSON_TYPE,
    tokens: 'bearer',
    status: 400,
    code: 'too-deep',
  },
  // Bodies past the limit, refused before they are read whole.
  { name: 'oversize: create', method: 'POST', path: '/api/pipelines', body: oversize, headers: JSON_TYPE, status: 413, code: 'too-large' },
  {
    name: 'oversize: save',
    method: 'PUT',
    path: '/api/pipelines/live',
    body: oversize,
    headers: JSON_TYPE,
    status: 413,
    code: 'too-large',
  },
  {
    name: 'oversize: preview',
    method: 'POST',
    path: '/api/pipelines/live/preview',
    body: oversize,
    headers: JSON_TYPE,
    status: 413,
    code: 'too-large',
  },
  {
    name: 'oversize: deploy',
    method: 'POST',
    path: '/api/pipelines/live/deploy',
    body: oversize,
    headers: JSON_TYPE,
    status: 413,
    code: 'too-large',
  },
  {
    name: 'oversize: ingest',
    method: 'POST',
    path: '/api/ingest/inbound/http',
    body: oversize,
    headers: JSON_TYPE,
    status: 413,
    code: 'too-large',
  },
  {
    name: 'oversize: sign-in',
    method: 'POST',
    path: '/api/session',
    body: oversize,
    headers: JSON_TYPE,
    tokens: 'bearer',
    status: 413,
    code: 'too-large',
  },
  // Numbers JSON.parse makes Infinity, which would be stored as null (item 11).
  {
    name: '1e400 in a document',
    method: 'POST',
    path: '/api/pipelines',
    body: doc.replace('"rate":2000', '"rate":1e400'),
    headers: JSON_TYPE,
    status: 400,
    code: 'non-finite-number',
    says: 'nodes[0].config.rate',
  },
  {
    name: '-1e400 in deploy params',
    method: 'POST',
    path: '/api/pipelines/live/deploy',
    body: '{"params":{"x":-1e400}}',
    headers: JSON_TYPE,
    status: 400,
    code: 'non-finite-number',
    says: 'params.x',
  },
  {
    name: '1e400 in an ingested record',
    method: 'POST',
    path: '/api/ingest/inbound/http',
    body: '[{"a":1},{"a":1e400}]',
    headers: JSON_TYPE,
    status: 400,
    code: 'non-finite-number',
    says: 'record 1 ',
  },
  // Params that every object already has (item 11): not a document this build reads.
  {
    name: 'param __proto__',
    method: 'POST',
    path: '/api/pipelines',
    body: withParam('__proto__'),
    headers: JSON_TYPE,
    status: 422,
    code: 'invalid-document',
    says: '\\"__proto__\\" is reserved',
  },
  {
    name: 'param constructor',
    method: 'POST',
    path: '/api/pipelines',
    body: withParam('constructor'),
    headers: JSON_TYPE,
    status: 422,
    code: 'invalid-document',
    says: '\\"constructor\\" is reserved',
  },
  {
    name: 'param prototype',
    method: 'PUT',
    path: '/api/pipelines/live',
    body: withParam('prototype').replace('p-prototype', 'live'),
    headers: JSON_TYPE,
    status: 422,
    code: 'invalid-document',
    says: 'params.prototype',
  },
  // Token mode: a valid credential does not make a cross-site request acceptable.
  {
    name: 'tokens: cross-site create with a valid bearer token',
    method: 'POST',
    path: '/api/pipelines',
    body: doc,
    headers: EVIL,
    tokens: 'bearer',
    status: 403,
    code: 'cross-origin',
  },
  {
    name: 'tokens: same-site other port with the session cookie',
    method: 'POST',
    path: '/api/pipelines/live/deploy',
    headers: { origin: 'http://127.0.0.1:9999' },
    tokens: 'cookie',
    status: 403,
    code: 'cross-origin',
  },
  {
    name: 'tokens: rebound Host with the session cookie',
    method: 'GET',
    path: '/api/me',
    base: 'http://rebind.attacker.example:8080',
    tokens: 'cookie',
    status: 421,
    code: 'unknown-host',
  },
  {
    name: 'tokens: a bad bearer token',
    method: 'GET',
    path: '/api/pipelines',
    headers: { authorization: 'Bearer sluice_guess' },
    status: 401,
    code: 'unauthenticated',
    tokens: 'bearer',
  },
];

let local: TestApi;
let auth: AuthTestApi;
let cookie: string;
const logged: string[] = [];

beforeAll(async () => {
  local = testApi();
  auth = await authTestApi({ log: (l) => logged.push(l) });
  for (const body of [generatorDoc(), httpSourceDoc()]) {
    expect((await local.call('POST', '/api/pipelines', body)).status).toBe(201);
  }
  expect((await auth.as('admin', 'POST', '/api/pipelines', generatorDoc())).status).toBe(201);
  cookie = (await auth.call('POST', '/api/session', { token: auth.secret.admin })).headers.get('set-cookie')!.split(';')[0]!;
});

afterAll(closeTestApis);

describe('hostile requests', () => {
  it('the table has at least 45 named cases, each named once', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const app = c.tokens ? auth.app : local.app;
    const credential: Record<string, string> =
      c.tokens === 'bearer' ? { authorization: `Bearer ${auth.secret.admin}` } : c.tokens === 'cookie' ? { cookie } : {};
    const res = await app.request(`${c.base ?? OWN}${c.path}`, {
      method: c.method,
      headers: { ...credential, ...c.headers },
      ...(c.body === undefined ? {} : { body: c.typeless ? new Blob([c.body]) : c.body }),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(c.status);
    if (c.code) expect(JSON.parse(text).error.code).toBe(c.code);
    if (c.says) expect(text).toContain(c.says);
  });

  it('left the stored pipelines as they were', async () => {
    const list = (await local.call('GET', '/api/pipelines')).json.pipelines as { id: string; version: number; status: string }[];
    expect(list.map((p) => [p.id, p.version, p.status]).sort()).toEqual([
      ['inbound', 1, 'not-deployed'],
      ['live', 1, 'not-deployed'],
    ]);
    expect((await auth.as('admin', 'GET', '/api/pipelines/live')).json.pipeline.version).toBe(1);
  });
});

describe('authentication attacks (token mode)', () => {
  it('brute-forcing sign-in from one address: 10 tries, then 429 with Retry-After, even for the right token', async () => {
    const api = await authTestApi({ failuresPerMinute: 10 });
    const from = { incoming: { socket: { remoteAddress: '192.0.2.7' } } };
    const signIn = (token: string) =>
      api.app.request('/api/session', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ token }) }, from);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn(`sluice_guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429, 429]);
    const right = await signIn(api.secret.admin);
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toBe('6');
  });

  it('a session cookie copied before sign-out is refused after it', async () => {
    const api = await authTestApi();
    const session = (await api.call('POST', '/api/session', { token: api.secret.editor })).headers.get('set-cookie')!.split(';')[0]!;
    expect((await api.call('GET', '/api/me', undefined, { cookie: session })).status).toBe(200);
    expect((await api.call('DELETE', '/api/session', undefined, { cookie: session })).status).toBe(200);
    const replay = await api.call('POST', '/api/pipelines', generatorDoc(), { cookie: session });
    expect(replay.status).toBe(401);
    expect(replay.json.error.message).toContain('session is not valid');
  });

  it('bearer failures and cross-site refusals above were logged with the reason, without any token', () => {
    expect(logged).toContain(
      'refused 401 GET /api/pipelines from unknown: the bearer token is not valid (revoked, or mistyped); sign in again',
    );
    expect(
      logged.some((l) =>
        l.startsWith(
          'refused 403 POST /api/pipelines from unknown: refused POST /api/pipelines: the request comes from origin "http://evil.example"',
        ),
      ),
    ).toBe(true);
    expect(logged.some((l) => l.startsWith('refused 421 GET /api/me'))).toBe(true);
    const all = logged.join('\n');
    for (const secret of [...Object.values(auth.secret), cookie.split('=')[1]!, 'sluice_guess']) expect(all).not.toContain(secret);
  });
});
