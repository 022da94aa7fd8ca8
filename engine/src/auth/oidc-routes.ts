/**
 * Signing in through an OpenID Connect provider (oidc-flow.ts), for browsers:
 * - `GET /api/auth/oidc/provider` says whether it is configured and the provider's name (the
 *   sign-in page shows "Sign in with <name>"); 404 when it is not.
 * - `GET /api/auth/oidc/login?next=#/...` sends the browser to the provider, with a short-lived
 *   cookie naming the login (SameSite=Lax: it must ride along when the provider sends the
 *   browser back, a cross-site navigation).
 * - `GET /api/auth/oidc/callback` checks what the provider sent, starts a session (the same
 *   cookie as a token sign-in) and sends the browser on: to `next`, else to `#/start`, which
 *   picks the page for the role. A refusal goes to the sign-in page, which says why in words.
 * A callback that fails verification counts against the address like a wrong token.
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ApiError } from '../api/errors.js';
import { type Authenticator, SESSION_COOKIE } from './authenticator.js';
import { OidcCallbackError } from './oidc-flow.js';
import { OIDC_LOGIN_PATH } from './oidc-settings.js';
import { clientAddress } from './principal.js';

const LOGIN_COOKIE = 'sluice_oidc_login';
const LOGIN_COOKIE_PATH = '/api/auth/oidc';

/** The sign-in page's reasons (editor/src/pages/signin-page.tsx words them). */
export type SignInProblem = 'no-role' | 'cancelled' | 'failed' | 'unavailable' | 'busy';

/** Only the editor's own hash routes: never another site, never the sign-in page again. */
export function safeNext(next: string | undefined | null): string | undefined {
  if (!next || next.length > 500 || !/^#\/[A-Za-z0-9\-._~/?=&%]*$/.test(next) || next.startsWith('#/signin')) return undefined;
  return next === '#/' ? undefined : next;
}

export interface OidcRoutesOptions {
  auth: Authenticator;
  /** Refused sign-ins, one line each (never a code, token or query string). */
  log?: (line: string) => void;
}

export function oidcRoutes(o: OidcRoutesOptions): Hono {
  const app = new Hono();
  const toSignIn = (problem: SignInProblem) => `/#/signin?problem=${problem}`;

  app.get('/api/auth/oidc/provider', (c) => {
    const flow = o.auth.oidc;
    if (!flow) throw new ApiError(404, 'not-configured', 'this server has no OpenID Connect sign-in; sign in with an access token');
    return c.json({ name: flow.settings.name, login: OIDC_LOGIN_PATH });
  });

  app.get('/api/auth/oidc/login', async (c) => {
    const flow = o.auth.oidc;
    if (!flow) throw new ApiError(404, 'not-configured', 'this server has no OpenID Connect sign-in');
    let started: { loginId: string; url: string };
    try {
      started = await flow.start(safeNext(c.req.query('next')));
    } catch (err) {
      // The provider's discovery document or keys could not be read: say so on the sign-in page.
      o.log?.(`OpenID Connect provider ${flow.settings.issuer} unavailable: ${err instanceof Error ? err.message : String(err)}`);
      return c.redirect(toSignIn('unavailable'), 302);
    }
    const secure = flow.settings.redirectUrl.startsWith('https:') || c.req.url.startsWith('https:');
    setCookie(c, LOGIN_COOKIE, started.loginId, { path: LOGIN_COOKIE_PATH, httpOnly: true, sameSite: 'Lax', secure, maxAge: 600 });
    return c.redirect(started.url, 302);
  });

  app.get('/api/auth/oidc/callback', async (c) => {
    const flow = o.auth.oidc;
    if (!flow) throw new ApiError(404, 'not-configured', 'this server has no OpenID Connect sign-in');
    const address = clientAddress(c);
    if (o.auth.failures.retryAfterSeconds(address) > 0) return c.redirect(toSignIn('busy'), 302);
    const secure = flow.settings.redirectUrl.startsWith('https:') || c.req.url.startsWith('https:');
    const loginId = getCookie(c, LOGIN_COOKIE);
    deleteCookie(c, LOGIN_COOKIE, { path: LOGIN_COOKIE_PATH, httpOnly: true, sameSite: 'Lax', secure });
    let outcome: Awaited<ReturnType<typeof flow.finish>>;
    try {
      outcome = await flow.finish(loginId, new URL(c.req.url).searchParams);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      o.log?.(`refused OpenID Connect sign-in from ${address}: ${why}`);
      if (err instanceof OidcCallbackError && err.code === 'cancelled') return c.redirect(toSignIn('cancelled'), 302);
      o.auth.failures.fail(address);
      return c.redirect(toSignIn('failed'), 302);
    }
    if (outcome.kind === 'no-role') {
      o.log?.(
        `refused OpenID Connect sign-in of ${outcome.name} from ${address}: no role (none of its ${flow.settings.roleClaim} is mapped, and there is no default role)`,
      );
      return c.redirect(toSignIn('no-role'), 302);
    }
    const id = o.auth.startOidcSession(outcome.subject, outcome.name, outcome.role);
    setCookie(c, SESSION_COOKIE, id, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      maxAge: Math.floor(flow.settings.sessionMaxAgeMs / 1000),
    });
    return c.redirect(`/${outcome.next ?? '#/start'}`, 302);
  });

  return app;
}
