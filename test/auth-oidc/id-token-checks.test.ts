/**
 * The ID token is checked, not trusted: a provider of our own (discovery, keys, a token
 * endpoint) hands Sluice's flow an ID token signed with a key it does not publish, for another
 * audience, from another issuer, expired, or with another nonce; each signs nobody in. The
 * same token signed properly signs the person in with the mapped role.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcCallbackError, OidcFlow } from '../../engine/src/auth/oidc-flow.js';
import { parseRoleMap } from '../../engine/src/auth/oidc-settings.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let server: Server;
let issuer: string;
let published: Key;
let unpublished: Key;
let jwk: JWK;
/** What the token endpoint answers next: an ID token made from the nonce of the login. */
let mint: (nonce: string) => Promise<string>;
let lastNonce = '';

beforeAll(async () => {
  const a = await generateKeyPair('RS256');
  const b = await generateKeyPair('RS256');
  published = a.privateKey;
  unpublished = b.privateKey;
  jwk = { ...(await exportJWK(a.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (body: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration')
      return json({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (url.pathname === '/jwks') return json({ keys: [jwk] });
    if (url.pathname === '/token') {
      req.resume();
      req.on('end', () => {
        void mint(lastNonce).then((id_token) => json({ access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token }));
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://localhost:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const flow = () =>
  new OidcFlow({
    settings: {
      issuer,
      clientId: 'sluice',
      clientSecret: 'sluice-secret-for-tests',
      redirectUrl: 'http://127.0.0.1:8080/api/auth/oidc/callback',
      name: 'Test ID',
      scopes: 'openid',
      roleClaim: 'groups',
      roleMap: parseRoleMap('analysts=business'),
      sessionMaxAgeMs: 3600_000,
    },
  });

interface TokenParts {
  key?: Key;
  iss?: string;
  aud?: string;
  /** Seconds from now. */
  exp?: number;
  nonce?: string;
}

const token = (p: TokenParts) => (nonce: string) =>
  new SignJWT({ groups: ['analysts'], preferred_username: 'ana', nonce: p.nonce ?? nonce })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(p.iss ?? issuer)
    .setAudience(p.aud ?? 'sluice')
    .setSubject('ana-1')
    .setIssuedAt(Math.floor(Date.now() / 1000) - (p.exp !== undefined && p.exp < 0 ? 3600 : 0))
    .setExpirationTime(Math.floor(Date.now() / 1000) + (p.exp ?? 300))
    .sign(p.key ?? published);

/** A login and its callback with the state of that login and the token `parts` make. */
async function signInWith(parts: TokenParts) {
  const f = flow();
  const { loginId, url } = await f.start(undefined);
  const q = new URL(url).searchParams;
  lastNonce = q.get('nonce')!;
  mint = token(parts);
  return f.finish(loginId, new URLSearchParams({ code: 'the-code', state: q.get('state')!, iss: issuer }));
}

describe('ID token checks', () => {
  it('a token signed with a published key, for this client, from this issuer, in date, with the nonce: signed in', async () => {
    expect(await signInWith({})).toEqual({ kind: 'signed-in', subject: `${issuer}#ana-1`, name: 'ana', role: 'business', next: undefined });
  });

  const refused: [what: string, parts: () => TokenParts, why: string][] = [
    ['signed with a key the provider does not publish', () => ({ key: unpublished }), 'JWT signature verification failed'],
    ['for another audience', () => ({ aud: 'another-client' }), 'unexpected JWT "aud" (audience) claim value'],
    ['from another issuer', () => ({ iss: 'http://localhost:1' }), 'unexpected JWT "iss" (issuer) claim value'],
    ['expired', () => ({ exp: -60 }), 'unexpected JWT "exp" (expiration time) claim value, expiration is past current timestamp'],
    ['with another nonce', () => ({ nonce: 'replayed-nonce' }), 'unexpected ID Token "nonce" claim value'],
  ];
  for (const [what, parts, why] of refused) {
    it(`a token ${what}: nobody signed in`, async () => {
      const err = await signInWith(parts()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OidcCallbackError);
      expect([(err as OidcCallbackError).code, (err as OidcCallbackError).message]).toEqual([
        'invalid',
        `the sign-in could not be verified: ${why}`,
      ]);
    });
  }
});
