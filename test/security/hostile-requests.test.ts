/**
 * Hostile requests at every HTTP door (issue 10 items 2, 7, 8, 9, 11), each naming what it
 * expects. The tables (hostile-cases-*.ts) run against a real app (file store, embedded runner)
 * in local-only mode unless a case says `tokens`; multi-step attacks (brute force, a copied
 * cookie) follow. Everything here is refused, so the stored pipelines must be unchanged at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthTestApi, authTestApi, closeTestApis, generatorDoc, httpSourceDoc, type TestApi, testApi } from '@sluice/engine/testing';

import { JSON_TYPE, OWN } from './hostile-case.js';
import { BODY_CASES } from './hostile-cases-bodies.js';
import { ORIGIN_CASES } from './hostile-cases-origin.js';

const CASES = [...ORIGIN_CASES, ...BODY_CASES];

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
