/**
 * A real OpenID provider for the sign-in tests: `oidc-provider` (a certified implementation) on
 * a free port of this machine, with its development login form (any password) and test people
 * whose `groups` claim the test may change between sign-ins. One confidential client: Sluice.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import Provider, { type Account } from 'oidc-provider';

export interface TestPerson {
  name: string;
  email: string;
  groups: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** By login name; change a person's groups and the next sign-in carries them. */
  people: Map<string, TestPerson>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startTestProvider(o: { redirectUri: string; people: Record<string, TestPerson> }): Promise<TestProvider> {
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const people = new Map(Object.entries(o.people));
  const clientId = 'sluice';
  const clientSecret = 'sluice-test-client-secret-0123456789';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [o.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
    // The claims asked for go into the ID token (Sluice reads the role from it).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['sluice-test-cookie-key'] },
    // Seconds; set so the provider does not warn about its defaults on every sign-in.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    findAccount: (_ctx, login): Account | undefined => {
      const person = people.get(login);
      if (!person) return undefined;
      return {
        accountId: login,
        claims: () => ({ sub: login, preferred_username: login, name: person.name, email: person.email, groups: [...person.groups] }),
      };
    },
  });
  const server: Server = provider.listen(port);
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    issuer,
    clientId,
    clientSecret,
    people,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
