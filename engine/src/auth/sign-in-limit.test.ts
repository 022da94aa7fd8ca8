/**
 * Issue 10 item 9: no limit on failed sign-ins or bearer tokens (800 guesses a second), and 401s
 * and 403s were not logged. Now 10 failures a minute per client address, then 429; every
 * refusal is one line in the server log, without the token.
 */
import { tempFolders } from '@sluice/nodes/testing';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, testApi } from '../api/test-support.js';
import { Authenticator } from './authenticator.js';
import { TokenStore } from './token-store.js';

const limitDir = tempFolders('sluice-limit-');

afterEach(closeTestApis);

async function limited() {
  const tokens = new TokenStore({ file: join(limitDir(), 'tokens.json') });
  const admin = await tokens.add('ada', 'admin');
  const clock = { t: 1_000_000 };
  const lines: string[] = [];
  const api = testApi({ auth: new Authenticator({ tokens, now: () => clock.t }), log: (l) => lines.push(l) });
  // The client address comes from the socket, as @hono/node-server passes it.
  const from = (address: string, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) =>
    api.app.request(
      path,
      {
        method,
        headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      },
      { incoming: { socket: { remoteAddress: address } } },
    );
  return { admin, clock, lines, from };
}

describe('failed authentications per client address', () => {
  it('10 bad sign-ins, then 429 with Retry-After for any sign-in from that address, right token included; others unaffected', async () => {
    const { admin, clock, from } = await limited();
    for (let i = 0; i < 10; i++)
      expect((await from('10.0.0.1', 'POST', '/api/session', { body: { token: `guess-${i}` } })).status).toBe(401);
    const blocked = await from('10.0.0.1', 'POST', '/api/session', { body: { token: admin } });
    expect(blocked.status).toBe(429);
    // One failure comes back every 60 s / 10 = 6 s.
    expect(blocked.headers.get('retry-after')).toBe('6');
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('too-many-failures');
    expect((await from('10.0.0.2', 'POST', '/api/session', { body: { token: admin } })).status).toBe(200);
    clock.t += 6000;
    expect((await from('10.0.0.1', 'POST', '/api/session', { body: { token: admin } })).status).toBe(200);
  });

  it('bad bearer tokens count too; a stale session cookie (unguessable) does not', async () => {
    const { admin, from } = await limited();
    for (let i = 0; i < 20; i++)
      expect((await from('10.0.0.3', 'GET', '/api/me', { headers: { cookie: `sluice_session=stale-${i}` } })).status).toBe(401);
    for (let i = 0; i < 10; i++)
      expect((await from('10.0.0.3', 'GET', '/api/me', { headers: { authorization: `Bearer guess-${i}` } })).status).toBe(401);
    expect((await from('10.0.0.3', 'GET', '/api/me', { headers: { authorization: `Bearer ${admin}` } })).status).toBe(429);
    // Requests without a credential are not guesses: still 401, not 429.
    expect((await from('10.0.0.3', 'GET', '/api/me')).status).toBe(401);
  });

  it('logs every 401, 403 and 429 with method, path, address and reason, never the token', async () => {
    const { admin, from, lines } = await limited();
    await from('10.0.0.4', 'GET', '/api/pipelines?x=1', { headers: { authorization: 'Bearer sluice_secret-guess' } });
    await from('10.0.0.4', 'POST', '/api/session', { body: { token: 'sluice_other-guess' } });
    await from('10.0.0.4', 'POST', '/api/pipelines', {
      body: {},
      headers: { authorization: `Bearer ${admin}`, origin: 'http://evil.example' },
    });
    await from('10.0.0.4', 'GET', '/api/me', { headers: { authorization: `Bearer ${admin}` } });
    // The request log has a line for every request too; the refusals are the lines that say so.
    expect(lines.filter((l) => l.startsWith('refused'))).toEqual([
      'refused 401 GET /api/pipelines from 10.0.0.4: the bearer token is not valid (revoked, or mistyped); sign in again',
      'refused 401 POST /api/session from 10.0.0.4: that token is not valid (revoked, or mistyped)',
      'refused 403 POST /api/pipelines from 10.0.0.4: refused POST /api/pipelines: the request comes from origin "http://evil.example", not this server\'s (add it to SLUICE_ALLOWED_ORIGINS if it is trusted)',
    ]);
    expect(lines.join('\n')).not.toMatch(/guess|sluice_/);
  });
});
