/**
 * Whether auth is on, and who a request's token or session names. Auth is on when tokens are
 * configured, when OpenID Connect sign-in is, or when the server was told it must be (bound
 * beyond loopback). Once on it stays on for the life of the process: revoking the last token
 * locks everyone out, never opens the server.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { FailureLimiter } from './failure-limiter.js';
import { OidcFlow } from './oidc-flow.js';
import type { OidcSettings } from './oidc-settings.js';
import type { Role } from '@sluice/shared';
import type { Principal } from './principal.js';
import { SessionStore } from './session-store.js';
import type { TokenStore } from './token-store.js';

export const SESSION_COOKIE = 'sluice_session';

export interface AuthOptions {
  /** None: local-only mode for good (tests, embedding). */
  tokens?: TokenStore;
  /** Require a token even while none is configured (nobody gets in until one is added). */
  required?: boolean;
  /** Failed sign-ins and bearer tokens allowed per client address and minute (default 10). */
  failuresPerMinute?: number;
  /** Session lifetime, ms (default a week). */
  sessionMaxAgeMs?: number;
  /** Sign-in through an OpenID Connect provider, beside tokens (turns auth on). */
  oidc?: OidcSettings;
  now?: () => number;
}

/** A week: a browser session outlives a restart of the browser, not a sign-out or a revocation. */
export const SESSION_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export type Presented = { kind: 'none' } | { kind: 'bad'; via: 'bearer' | 'cookie' } | { kind: 'ok'; principal: Principal };

export class Authenticator {
  readonly tokens: TokenStore | undefined;
  readonly sessions: SessionStore;
  readonly failures: FailureLimiter;
  readonly sessionMaxAgeMs: number;
  /** Present when OpenID Connect sign-in is configured. */
  readonly oidc: OidcFlow | undefined;
  private on: boolean;

  constructor(o: AuthOptions = {}) {
    this.tokens = o.tokens;
    this.oidc = o.oidc ? new OidcFlow({ settings: o.oidc }) : undefined;
    this.on = o.required === true || o.oidc !== undefined;
    this.sessionMaxAgeMs = o.sessionMaxAgeMs ?? SESSION_MAX_AGE_MS;
    const clock = o.now ? { now: o.now } : {};
    this.sessions = new SessionStore({ maxAgeMs: this.sessionMaxAgeMs, ...clock });
    this.failures = new FailureLimiter({ ...(o.failuresPerMinute ? { perMinute: o.failuresPerMinute } : {}), ...clock });
  }

  /** False in local-only mode: no tokens, every caller is an admin. */
  get enabled(): boolean {
    if (!this.on && this.tokens && this.tokens.size > 0) this.on = true;
    return this.on;
  }

  /** The token's name and role, or undefined when it is not a configured token. */
  verify(token: string): Principal | undefined {
    const entry = this.tokens?.verify(token);
    return entry ? { name: entry.name, role: entry.role, authenticated: true } : undefined;
  }

  /** A session id for a valid token (the cookie's value), or undefined. */
  startSession(token: string): { id: string; principal: Principal } | undefined {
    const entry = this.tokens?.verify(token);
    if (!entry) return undefined;
    return {
      id: this.sessions.create({ kind: 'token', tokenHash: entry.hash }),
      principal: { name: entry.name, role: entry.role, authenticated: true },
    };
  }

  /**
   * A session for a person the provider vouched for, with the role mapped now. Her other
   * sessions with another role end: a changed mapping applies from this sign-in on, everywhere.
   */
  startOidcSession(subject: string, name: string, role: Role): string {
    this.sessions.revokeOtherRoles(subject, role);
    return this.sessions.create({ kind: 'oidc', subject, name, role }, this.oidc?.settings.sessionMaxAgeMs);
  }

  /** The bearer token if one is sent, else the session cookie. */
  identify(c: Context): Presented {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = m ? this.verify(m[1]!) : undefined;
      return principal ? { kind: 'ok', principal } : { kind: 'bad', via: 'bearer' };
    }
    const id = getCookie(c, SESSION_COOKIE);
    if (id === undefined || id === '') return { kind: 'none' };
    const of = this.sessions.lookup(id);
    if (of?.kind === 'oidc') return { kind: 'ok', principal: { name: of.name, role: of.role, authenticated: true } };
    // The token is looked up again: revoking it ends its sessions at once.
    const entry = of === undefined ? undefined : this.tokens?.list().find((e) => e.hash === of.tokenHash);
    return entry ? { kind: 'ok', principal: { name: entry.name, role: entry.role, authenticated: true } } : { kind: 'bad', via: 'cookie' };
  }
}
