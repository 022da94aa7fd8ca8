/**
 * Who is making a request: the signed-in token's name and role. The auth middleware sets it;
 * routes read it for authors of versions and for the audit log. With no tokens configured the
 * server is local-only and every caller is an admin named by `x-sluice-user` (or "anonymous").
 */
import { authorOf } from '../api/lookup.js';

export const ROLES = ['admin', 'editor', 'business', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  role: Role;
  /** False when the server runs without tokens (local-only mode). */
  authenticated: boolean;
}

// Keyed by the raw Request so no Hono generics leak into every route's type.
const byRequest = new WeakMap<Request, Principal>();

export function setPrincipal(c: { req: { raw: Request } }, p: Principal): void {
  byRequest.set(c.req.raw, p);
}

export function principalOf(c: { req: { raw: Request; header(name: string): string | undefined } }): Principal {
  return byRequest.get(c.req.raw) ?? { name: authorOf(c), role: 'admin', authenticated: false };
}

/** Where a request came from, for the audit log (the socket address; proxies are not trusted). */
export function clientAddress(c: { env?: unknown }): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
