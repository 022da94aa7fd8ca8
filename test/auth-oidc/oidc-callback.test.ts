/**
 * The doors of OpenID Connect sign-in, without a browser, against a real provider
 * (oidc-provider): the login sends the browser to the provider with PKCE (S256), state and
 * nonce and a short-lived cookie naming the login; a callback this browser did not start, or
 * whose state was changed, or that is replayed, signs nobody in; a cancelled sign-in says so;
 * failed callbacks count against the address like wrong tokens; an unreachable provider is
 * named on the sign-in page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeTestApis, testApi } from '../../engine/src/api/test-support.js';
import { Authenticator } from '../../engine/src/auth/authenticator.js';
import type { OidcSettings } from '../../engine/src/auth/oidc-settings.js';
import { parseRoleMap } from '../../engine/src/auth/oidc-settings.js';
import { freePort, startTestProvider, type TestProvider } from './test-provider.js';

const BASE = 'http://127.0.0.1:8080';
let idp: TestProvider;

beforeAll(async () => {
  idp = await startTestProvider({ redirectUri: `${BASE}/api/auth/oidc/callback`, people: {} });
});
afterAll(() => idp?.close());
afterEach(closeTestApis);

const settings = (issuer: string): OidcSettings => ({
  issuer,
  clientId: idp.clientId,
  clientSecret: idp.clientSecret,
  redirectUrl: `${BASE}/api/auth/oidc/callback`,
  name: 'Acme ID',
  scopes: 'openid profile groups',
  roleClaim: 'groups',
  roleMap: parseRoleMap('analysts=business'),
  sessionMaxAgeMs: 3600_000,
});

let logs: string[] = [];
const appWith = (issuer: string) => {
  logs = [];
  return testApi({ auth: new Authenticator({ oidc: settings(issuer) }), log: (line) => logs.push(line) });
};
const refusals = () => logs.filter((l) => /OpenID Connect/.test(l));
/** The login cookie's `name=value` from a login answer. */
const loginCookie = (headers: Headers) =>
  headers
    .getSetCookie()
    .find((c) => c.startsWith('sluice_oidc_login='))!
    .split(';')[0]!;

describe('OpenID Connect sign-in doors', () => {
  it('the login sends the browser to the provider with PKCE S256, state, nonce and a Lax, HttpOnly login cookie', async () => {
    const api = appWith(idp.issuer);
    const r = await api.call('GET', '/api/auth/oidc/login?next=%23%2Fp%2Fpricing%2Fbusiness');
    expect(r.status).toBe(302);
    const to = new URL(r.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${idp.issuer}/auth`);
    const q = Object.fromEntries(to.searchParams);
    expect(q).toMatchObject({
      client_id: 'sluice',
      response_type: 'code',
      redirect_uri: `${BASE}/api/auth/oidc/callback`,
      scope: 'openid profile groups',
      code_challenge_method: 'S256',
    });
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('sluice_oidc_login='))!;
    expect(cookie).toMatch(/; Max-Age=600; Path=\/api\/auth\/oidc; HttpOnly; SameSite=Lax$/);
    // The secret goes to the provider's token endpoint only, never into the browser's address.
    expect(to.href).not.toContain(idp.clientSecret);
  });

  it('a callback this browser did not start, with a changed state, or replayed, signs nobody in', async () => {
    const api = appWith(idp.issuer);
    const failed = '/#/signin?problem=failed';
    const noCookie = await api.call('GET', '/api/auth/oidc/callback?code=abc&state=xyz');
    expect([noCookie.status, noCookie.headers.get('location')]).toEqual([302, failed]);

    const login = await api.call('GET', '/api/auth/oidc/login');
    const cookie = loginCookie(login.headers);
    const forged = await api.call('GET', `/api/auth/oidc/callback?code=abc&state=forged&iss=${encodeURIComponent(idp.issuer)}`, undefined, {
      cookie,
    });
    expect([forged.status, forged.headers.get('location')]).toEqual([302, failed]);
    expect(forged.headers.getSetCookie().some((c) => c.startsWith('sluice_session='))).toBe(false);
    // The login is used once: the right state now finds nothing to finish.
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const replay = await api.call('GET', `/api/auth/oidc/callback?code=abc&state=${state}`, undefined, { cookie });
    expect(replay.headers.get('location')).toBe(failed);
    // Each refusal is one line saying why; no code, state or cookie in it.
    expect(refusals()).toEqual([
      'refused OpenID Connect sign-in from unknown: no sign-in was started from this browser, or it took longer than 10 minutes',
      'refused OpenID Connect sign-in from unknown: the sign-in could not be verified: unexpected "state" response parameter value',
      'refused OpenID Connect sign-in from unknown: no sign-in was started from this browser, or it took longer than 10 minutes',
    ]);
  });

  it('a sign-in cancelled at the provider says so', async () => {
    const api = appWith(idp.issuer);
    const login = await api.call('GET', '/api/auth/oidc/login');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const r = await api.call('GET', `/api/auth/oidc/callback?error=access_denied&state=${state}`, undefined, {
      cookie: loginCookie(login.headers),
    });
    expect(r.headers.get('location')).toBe('/#/signin?problem=cancelled');
  });

  it('after 10 failed callbacks from one address the next is told to wait', async () => {
    const api = appWith(idp.issuer);
    for (let i = 0; i < 10; i++)
      expect((await api.call('GET', '/api/auth/oidc/callback?code=x&state=y')).headers.get('location')).toBe('/#/signin?problem=failed');
    expect((await api.call('GET', '/api/auth/oidc/callback?code=x&state=y')).headers.get('location')).toBe('/#/signin?problem=busy');
  });

  it('a provider that cannot be reached is named on the sign-in page', async () => {
    const nowhere = `http://localhost:${await freePort()}`;
    const api = appWith(nowhere);
    const r = await api.call('GET', '/api/auth/oidc/login');
    expect([r.status, r.headers.get('location')]).toEqual([302, '/#/signin?problem=unavailable']);
    expect(refusals()).toEqual([`OpenID Connect provider ${nowhere} unavailable: fetch failed`]);
    expect((await api.call('GET', '/api/auth/oidc/provider')).json).toEqual({ name: 'Acme ID', login: '/api/auth/oidc/login' });
  });
});
