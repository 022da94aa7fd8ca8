/**
 * Whether auth is on, and who a request's token names. Auth is on when tokens are configured,
 * or when the server was told it must be (bound beyond loopback). Once on it stays on for the
 * life of the process: revoking the last token locks everyone out, never opens the server.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Principal } from './principal.js';
import type { TokenStore } from './token-store.js';

export const SESSION_COOKIE = 'sluice_session';

export interface AuthOptions {
  /** None: local-only mode for good (tests, embedding). */
  tokens?: TokenStore;
  /** Require a token even while none is configured (nobody gets in until one is added). */
  required?: boolean;
}

export type Presented = { kind: 'none' } | { kind: 'bad'; via: 'bearer' | 'cookie' } | { kind: 'ok'; principal: Principal };

export class Authenticator {
  readonly tokens: TokenStore | undefined;
  private on: boolean;

  constructor(o: AuthOptions = {}) {
    this.tokens = o.tokens;
    this.on = o.required === true;
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

  /** The bearer token if one is sent, else the session cookie. */
  identify(c: Context): Presented {
    const header = c.req.header('authorization');
    let token: string | undefined;
    let via: 'bearer' | 'cookie' = 'bearer';
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) return { kind: 'bad', via };
      token = m[1]!;
    } else {
      token = getCookie(c, SESSION_COOKIE);
      via = 'cookie';
    }
    if (token === undefined || token === '') return { kind: 'none' };
    const principal = this.verify(token);
    return principal ? { kind: 'ok', principal } : { kind: 'bad', via };
  }
}
