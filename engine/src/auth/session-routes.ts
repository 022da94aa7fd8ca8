/**
 * Signing in from a browser: `POST /api/session { token }` starts a session (session-store.ts)
 * and sets an HttpOnly, SameSite=Strict cookie holding its random id, never the token (so
 * EventSource streams, which cannot send headers, carry it too); `DELETE /api/session` ends the
 * session on the server and clears the cookie; `GET /api/me` says who the caller is. Failed
 * sign-ins count against the address (failure-limiter.ts), checked in the auth middleware.
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Me } from '@sluice/shared';
import { ApiError, jsonBody } from '../api/errors.js';
import { type Authenticator, SESSION_COOKIE } from './authenticator.js';
import { clientAddress, principalOf } from './principal.js';

export function sessionRoutes(o: { auth: Authenticator }): Hono {
  const app = new Hono();
  const secure = (url: string) => url.startsWith('https:');

  app.post('/api/session', async (c) => {
    if (!o.auth.enabled)
      throw new ApiError(409, 'auth-disabled', 'this server has no API tokens (local-only mode): there is nothing to sign in to');
    const body = await jsonBody(c);
    const token = (body as { token?: unknown } | null)?.token;
    if (typeof token !== 'string' || token === '') throw new ApiError(400, 'invalid-body', 'send { "token": "<your API token>" }');
    const session = o.auth.startSession(token.trim());
    if (!session) {
      o.auth.failures.fail(clientAddress(c));
      throw new ApiError(401, 'unauthenticated', 'that token is not valid (revoked, or mistyped)');
    }
    const maxAge = Math.floor(o.auth.sessionMaxAgeMs / 1000);
    setCookie(c, SESSION_COOKIE, session.id, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(c.req.url), maxAge });
    return c.json({ name: session.principal.name, role: session.principal.role });
  });

  app.delete('/api/session', (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) o.auth.sessions.revoke(id);
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(c.req.url) });
    return c.json({ signedOut: true });
  });

  app.get('/api/me', (c) => {
    const p = principalOf(c);
    const me: Me = { name: p.name, role: p.role, authenticated: p.authenticated, mode: o.auth.enabled ? 'tokens' : 'local' };
    return c.json(me);
  });

  return app;
}
