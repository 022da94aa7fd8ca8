/**
 * The OpenID Connect authorization code flow with PKCE, through `openid-client` (a certified
 * relying party). `start` makes a login: random state, nonce and PKCE verifier kept here under
 * a random login id (the browser holds only that id, in a short-lived cookie) and the provider's
 * address to send the browser to. `finish` takes the callback: the login must be one this
 * browser started, the state must match, the code is exchanged with the verifier, and the ID
 * token's signature (the provider's published keys), issuer, audience, expiry and nonce are
 * checked. The role comes from a claim (oidc-settings.ts): in the ID token, else from UserInfo.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { Role } from '@sluice/shared';
import { mapRole, type OidcSettings } from './oidc-settings.js';

/** A login not finished within this is forgotten (the user starts again). */
const LOGIN_TTL_MS = 10 * 60 * 1000;
/** Most logins in flight; the oldest goes first past it, so a flood of starts cannot fill memory. */
const MAX_PENDING = 1000;

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  next: string | undefined;
  expires: number;
}

export type OidcOutcome =
  | { kind: 'signed-in'; subject: string; name: string; role: Role; next: string | undefined }
  /** Signed in at the provider, but no role here: the mapping names none of the user's values and there is no default. */
  | { kind: 'no-role'; name: string };

/** A callback that cannot be trusted (unknown login, state or nonce mismatch, a bad token): nobody is signed in. */
export class OidcCallbackError extends Error {
  override name = 'OidcCallbackError';
  constructor(
    message: string,
    /** `cancelled`: the user or the provider said no at the provider. */
    readonly code: 'cancelled' | 'invalid',
  ) {
    super(message);
  }
}

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

export interface OidcFlowOptions {
  settings: OidcSettings;
  now?: () => number;
}

export class OidcFlow {
  readonly settings: OidcSettings;
  private config: Promise<client.Configuration> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;

  constructor(o: OidcFlowOptions) {
    this.settings = o.settings;
    this.now = o.now ?? Date.now;
  }

  /** The provider's metadata and keys, discovered once (again after a failure). */
  private configuration(): Promise<client.Configuration> {
    const s = this.settings;
    this.config ??= (async () => {
      const issuer = new URL(s.issuer);
      // Plain http only to a provider on this machine (development and tests); anything else must be https.
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
      const execute = [
        client.enableNonRepudiationChecks,
        ...(issuer.protocol === 'http:' && loopback ? [client.allowInsecureRequests] : []),
      ];
      const auth = s.clientSecret === undefined ? client.None() : client.ClientSecretBasic(s.clientSecret);
      return client.discovery(issuer, s.clientId, undefined, auth, { execute });
    })();
    this.config.catch(() => {
      this.config = undefined;
    });
    return this.config;
  }

  /** A new login: its id (for the browser's cookie) and the provider's authorization URL. */
  async start(next: string | undefined): Promise<{ loginId: string; url: string }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const p: Pending = { state: client.randomState(), nonce: client.randomNonce(), verifier, next, expires: this.now() + LOGIN_TTL_MS };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scopes,
      state: p.state,
      nonce: p.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const loginId = randomBytes(32).toString('base64url');
    this.sweep();
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(digest(loginId), p);
    return { loginId, url: url.href };
  }

  /** The callback's query, for the login this browser started (its cookie's id). A login is used once. */
  async finish(loginId: string | undefined, query: URLSearchParams): Promise<OidcOutcome> {
    const key = loginId ? digest(loginId) : undefined;
    const p = key ? this.pending.get(key) : undefined;
    if (key) this.pending.delete(key);
    if (!p || p.expires <= this.now())
      throw new OidcCallbackError('no sign-in was started from this browser, or it took longer than 10 minutes', 'invalid');
    const error = query.get('error');
    if (error) throw new OidcCallbackError(`the provider answered ${error}`, error === 'access_denied' ? 'cancelled' : 'invalid');
    const config = await this.configuration();
    // The URL registered at the provider, with the callback's parameters: right behind a proxy too.
    const current = new URL(this.settings.redirectUrl);
    current.search = query.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: p.verifier,
        expectedState: p.state,
        expectedNonce: p.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw new OidcCallbackError(`the sign-in could not be verified: ${reason(err)}`, 'invalid');
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcCallbackError('the provider sent no ID token', 'invalid');
    let claims: Record<string, unknown> = idClaims;
    if (!(this.settings.roleClaim in claims)) {
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...info, ...idClaims };
    }
    const name = nameOf(claims);
    const role = mapRole(claims, this.settings);
    if (!role) return { kind: 'no-role', name };
    return { kind: 'signed-in', subject: `${this.settings.issuer}#${idClaims.sub}`, name, role, next: p.next };
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, p] of this.pending) if (p.expires <= t) this.pending.delete(k);
  }
}

/** openid-client wraps the precise check that failed (oauth4webapi's) in a generic error: name the precise one. */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error && err.cause.message ? err.cause.message : err.message;
}

/** Who the person is, as authors and the top bar name them. */
function nameOf(claims: Record<string, unknown>): string {
  for (const k of ['preferred_username', 'email', 'name', 'sub']) {
    const v = claims[k];
    if (typeof v === 'string' && v.trim() !== '') return v.trim().slice(0, 200);
  }
  return 'unknown';
}
