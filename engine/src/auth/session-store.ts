/**
 * Browser sessions, each its own random id (never the API token): the cookie holds the id, the
 * server keeps the SHA-256 of the id with what it stands for and an expiry, in memory. A session
 * stands for an API token (its hash: revoking the token ends every session of it, the token is
 * looked up again on each request) or for a person signed in with OpenID Connect (subject, name
 * and the role mapped at sign-in). Signing out deletes the entry, so a copied cookie dies with
 * it; a restart signs everyone out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@sluice/shared';

export interface SessionStoreOptions {
  /** How long a session lives, ms. */
  maxAgeMs: number;
  /** Most sessions kept; the oldest goes first past it (default 10,000). */
  maxSessions?: number;
  now?: () => number;
}

/** What a session stands for: the token's stored hash (sha256:..., not the token), or an OpenID Connect sign-in. */
export type SessionSubject = { kind: 'token'; tokenHash: string } | { kind: 'oidc'; subject: string; name: string; role: Role };

interface Session {
  of: SessionSubject;
  expires: number;
}

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

export class SessionStore {
  private readonly byDigest = new Map<string, Session>();
  private readonly now: () => number;

  constructor(private readonly o: SessionStoreOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A new session; returns the id for the cookie (256 random bits). `maxAgeMs` overrides the store's lifetime. */
  create(of: SessionSubject, maxAgeMs = this.o.maxAgeMs): string {
    const id = randomBytes(32).toString('base64url');
    // Map order is insertion order: the first key is the oldest session.
    if (this.byDigest.size >= (this.o.maxSessions ?? 10_000)) this.byDigest.delete(this.byDigest.keys().next().value!);
    this.byDigest.set(digest(id), { of, expires: this.now() + maxAgeMs });
    return id;
  }

  /** What a live session stands for, or undefined (unknown, signed out or expired). */
  lookup(id: string): SessionSubject | undefined {
    const key = digest(id);
    const s = this.byDigest.get(key);
    if (!s) return undefined;
    if (s.expires <= this.now()) {
      this.byDigest.delete(key);
      return undefined;
    }
    return s.of;
  }

  revoke(id: string): void {
    this.byDigest.delete(digest(id));
  }

  /** Ends every OpenID Connect session of `subject` whose role is not `role` (the mapping changed); returns how many. */
  revokeOtherRoles(subject: string, role: Role): number {
    let n = 0;
    for (const [key, s] of this.byDigest) {
      if (s.of.kind === 'oidc' && s.of.subject === subject && s.of.role !== role) {
        this.byDigest.delete(key);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.byDigest.size;
  }
}
