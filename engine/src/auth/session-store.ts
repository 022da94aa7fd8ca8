/**
 * Browser sessions, each its own random id (never the API token): the cookie holds the id, the
 * server keeps the SHA-256 of the id with the token it stands for and an expiry, in memory.
 * Signing out deletes the entry, so a copied cookie dies with it; revoking the token ends every
 * session of it (the token is looked up again on each request); a restart signs everyone out.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SessionStoreOptions {
  /** How long a session lives, ms. */
  maxAgeMs: number;
  /** Most sessions kept; the oldest goes first past it (default 10,000). */
  maxSessions?: number;
  now?: () => number;
}

interface Session {
  /** The token's stored hash (sha256:...), not the token. */
  tokenHash: string;
  expires: number;
}

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

export class SessionStore {
  private readonly byDigest = new Map<string, Session>();
  private readonly now: () => number;

  constructor(private readonly o: SessionStoreOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A new session for the token with this hash; returns the id for the cookie (256 random bits). */
  create(tokenHash: string): string {
    const id = randomBytes(32).toString('base64url');
    // Map order is insertion order: the first key is the oldest session.
    if (this.byDigest.size >= (this.o.maxSessions ?? 10_000)) this.byDigest.delete(this.byDigest.keys().next().value!);
    this.byDigest.set(digest(id), { tokenHash, expires: this.now() + this.o.maxAgeMs });
    return id;
  }

  /** The token hash a live session stands for, or undefined (unknown, signed out or expired). */
  tokenHashOf(id: string): string | undefined {
    const key = digest(id);
    const s = this.byDigest.get(key);
    if (!s) return undefined;
    if (s.expires <= this.now()) {
      this.byDigest.delete(key);
      return undefined;
    }
    return s.tokenHash;
  }

  revoke(id: string): void {
    this.byDigest.delete(digest(id));
  }

  get size(): number {
    return this.byDigest.size;
  }
}
