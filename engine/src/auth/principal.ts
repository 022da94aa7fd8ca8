/**
 * Who is making a request: the signed-in token's name and role. The auth middleware sets it;
 * routes read it for authors of versions and for the audit log. With no tokens configured the
 * server is local-only and every caller is an admin named by `x-sluice-user` (or "anonymous").
 */
import type { Role } from '@sluice/shared';
import { authorOf } from '../api/lookup.js';

export interface Principal {
  name: string;
  role: Role;
  /** False when the server runs without tokens (local-only mode). */
  authenticated: boolean;
}

// Keyed by the request object (not a Hono context type, so no generics leak into every
// route's type). Not by `c.req.raw`: the body-limit middleware replaces that Request when it
// buffers a chunked body, and a principal lost that way would read as the local-only admin.
const byRequest = new WeakMap<object, Principal>();

export function setPrincipal(c: { req: { raw: Request } }, p: Principal): void {
  byRequest.set(c.req, p);
}

export function principalOf(c: { req: { raw: Request; header(name: string): string | undefined } }): Principal {
  return byRequest.get(c.req) ?? { name: authorOf(c), role: 'admin', authenticated: false };
}

/** Where a request came from, for the audit log (the socket address; proxies are not trusted). */
export function clientAddress(c: { env?: unknown }): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
