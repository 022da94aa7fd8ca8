/**
 * Signing in from a browser: `POST /api/session { token }` sets an HttpOnly, SameSite=Strict
 * cookie holding the token (so EventSource streams, which cannot send headers, carry it too);
 * `DELETE /api/session` clears it; `GET /api/me` says who the caller is. The token in the
 * cookie is checked on every request like a bearer token, so revoking it ends the session.
 */
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { ApiError, jsonBody } from '../api/errors.js';
import { type Authenticator, SESSION_COOKIE } from './authenticator.js';
import { principalOf } from './principal.js';

/** A week: a browser session outlives a restart of the browser, not a revocation. */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;

export function sessionRoutes(o: { auth: Authenticator }): Hono {
  const app = new Hono();
  const secure = (url: string) => url.startsWith('https:');

  app.post('/api/session', async (c) => {
    if (!o.auth.enabled) throw new ApiError(409, 'auth-disabled', 'this server has no API tokens (local-only mode): there is nothing to sign in to');
    const body = await jsonBody(c);
    const token = (body as { token?: unknown } | null)?.token;
    if (typeof token !== 'string' || token === '') throw new ApiError(400, 'invalid-body', 'send { "token": "<your API token>" }');
    const entry = o.auth.verify(token.trim());
    if (!entry) throw new ApiError(401, 'unauthenticated', 'that token is not valid (revoked, or mistyped)');
    setCookie(c, SESSION_COOKIE, token.trim(), { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(c.req.url), maxAge: SESSION_MAX_AGE_SECONDS });
    return c.json({ name: entry.name, role: entry.role });
  });

  app.delete('/api/session', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(c.req.url) });
    return c.json({ signedOut: true });
  });

  app.get('/api/me', (c) => {
    const p = principalOf(c);
    return c.json({ name: p.name, role: p.role, authenticated: p.authenticated, mode: o.auth.enabled ? 'tokens' : 'local' });
  });

  return app;
}
