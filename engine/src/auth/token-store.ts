/**
 * API tokens: a name, a role and the SHA-256 of a 256-bit random secret. Only hashes are kept
 * (in `<dataDir>/tokens.json`, or SLUICE_TOKENS_FILE, and in SLUICE_TOKENS); the secret is shown
 * once, when `sluice token add` makes it. A plain SHA-256 is enough here: the secrets are
 * random, not passwords, so there is nothing to guess from a hash. The file is re-read when it
 * changes, so `sluice token add|revoke` takes effect on a running server within a second.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { ROLES, type Role } from '@sluice/shared';
import { writeFileAtomic } from '../store/atomic-write.js';

export const TOKEN_PREFIX = 'sluice_';
export const TOKEN_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const HASH = /^sha256:[0-9a-f]{64}$/;

export interface TokenEntry {
  name: string;
  role: Role;
  /** `sha256:<hex>` of the whole token string. */
  hash: string;
  createdAt?: string;
  /** Where it is defined: the tokens file (revocable with the CLI) or SLUICE_TOKENS. */
  source: 'file' | 'env';
}

export class TokenConfigError extends Error {
  override name = 'TokenConfigError';
}

export function hashToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** A fresh secret: 32 random bytes, base64url, with a prefix that makes it easy to spot in a leak. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

export interface TokenStoreOptions {
  /** The tokens file (read if it exists; written by add/revoke). */
  file: string;
  /** SLUICE_TOKENS: `name:role:sha256:<hex>` entries, comma-separated. */
  env?: string;
}

/** Where the tokens live for a data folder and an environment (SLUICE_TOKENS_FILE, SLUICE_TOKENS). */
export function tokenStoreFor(dataDir: string, env: NodeJS.ProcessEnv = process.env): TokenStore {
  return new TokenStore({
    file: env.SLUICE_TOKENS_FILE || join(dataDir, 'tokens.json'),
    ...(env.SLUICE_TOKENS ? { env: env.SLUICE_TOKENS } : {}),
  });
}

export class TokenStore {
  readonly file: string;
  private readonly envEntries: TokenEntry[];
  private fileEntries: TokenEntry[] = [];
  private fileStamp = '';
  private checkedAt = 0;

  constructor(o: TokenStoreOptions) {
    this.file = o.file;
    this.envEntries = parseEnvTokens(o.env ?? '');
    this.reload();
  }

  /** Every configured token (no secrets: there are none to show). */
  list(): TokenEntry[] {
    this.refresh();
    return [...this.envEntries, ...this.fileEntries];
  }

  get size(): number {
    return this.list().length;
  }

  /** The entry whose hash matches, comparing every hash in constant time. */
  verify(token: string): TokenEntry | undefined {
    const presented = Buffer.from(hashToken(token));
    let found: TokenEntry | undefined;
    for (const e of this.list()) {
      const stored = Buffer.from(e.hash);
      // Lengths are all equal for well-formed hashes (checked on load); no early exit on a match.
      if (stored.length === presented.length && timingSafeEqual(stored, presented) && !found) found = e;
    }
    return found;
  }

  /** Make a token, store its hash in the file, return the secret (shown once). */
  async add(name: string, role: Role): Promise<string> {
    if (!TOKEN_NAME.test(name)) throw new TokenConfigError(`token names match ${TOKEN_NAME.source}; got ${JSON.stringify(name)}`);
    if (!isRole(role)) throw new TokenConfigError(`roles are ${ROLES.join(', ')}; got ${JSON.stringify(role)}`);
    this.reload();
    if (this.list().some((e) => e.name === name))
      throw new TokenConfigError(`a token named "${name}" exists already; revoke it first or pick another name`);
    const token = newToken();
    const entry: TokenEntry = { name, role, hash: hashToken(token), createdAt: new Date().toISOString(), source: 'file' };
    await this.write([...this.fileEntries, entry]);
    return token;
  }

  /** Remove a token from the file; false when no such name. SLUICE_TOKENS entries cannot be revoked here. */
  async revoke(name: string): Promise<boolean> {
    this.reload();
    if (this.envEntries.some((e) => e.name === name))
      throw new TokenConfigError(`token "${name}" is defined in SLUICE_TOKENS; remove it there`);
    const rest = this.fileEntries.filter((e) => e.name !== name);
    if (rest.length === this.fileEntries.length) return false;
    await this.write(rest);
    return true;
  }

  private async write(entries: TokenEntry[]): Promise<void> {
    const tokens = entries.map(({ name, role, hash, createdAt }) => ({ name, role, hash, ...(createdAt ? { createdAt } : {}) }));
    await writeFileAtomic(this.file, `${JSON.stringify({ tokens }, null, 2)}\n`);
    await chmod(this.file, 0o600).catch(() => {});
    this.reload();
  }

  /** Re-read the file when it changed (checked at most once a second). */
  private refresh(): void {
    const now = Date.now();
    if (now - this.checkedAt < 1000) return;
    this.checkedAt = now;
    if (this.stamp() !== this.fileStamp) this.reload();
  }

  private stamp(): string {
    try {
      const s = statSync(this.file);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return 'missing';
    }
  }

  private reload(): void {
    this.checkedAt = Date.now();
    const stamp = this.stamp();
    this.fileEntries = stamp === 'missing' ? [] : parseTokenFile(readFileSync(this.file, 'utf8'), this.file);
    this.fileStamp = stamp;
    const names = new Set(this.envEntries.map((e) => e.name));
    for (const e of this.fileEntries)
      if (names.has(e.name)) throw new TokenConfigError(`token "${e.name}" is defined both in SLUICE_TOKENS and in ${this.file}`);
  }
}

export function parseTokenFile(text: string, where: string): TokenEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TokenConfigError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  const list = (raw as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(list)) throw new TokenConfigError(`${where}: expected { "tokens": [ { "name", "role", "hash" } ] }`);
  const seen = new Set<string>();
  return list.map((t: unknown, i) => {
    const e = (t ?? {}) as Record<string, unknown>;
    const at = `${where}: tokens[${i}]`;
    if (typeof e.name !== 'string' || !TOKEN_NAME.test(e.name)) throw new TokenConfigError(`${at}.name must match ${TOKEN_NAME.source}`);
    if (!isRole(e.role)) throw new TokenConfigError(`${at}.role must be one of ${ROLES.join(', ')}`);
    if (typeof e.hash !== 'string' || !HASH.test(e.hash))
      throw new TokenConfigError(`${at}.hash must be sha256:<64 hex digits> (never the token itself)`);
    if (seen.has(e.name)) throw new TokenConfigError(`${at}: the name "${e.name}" appears twice`);
    seen.add(e.name);
    return {
      name: e.name,
      role: e.role,
      hash: e.hash,
      ...(typeof e.createdAt === 'string' ? { createdAt: e.createdAt } : {}),
      source: 'file' as const,
    };
  });
}

/** `name:role:sha256:<hex>,...` (what `sluice token add --env` prints). */
export function parseEnvTokens(text: string): TokenEntry[] {
  const seen = new Set<string>();
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item, i) => {
      const [name = '', role = '', ...hashParts] = item.split(':');
      const hash = hashParts.join(':');
      const at = `SLUICE_TOKENS entry ${i + 1} ("${name}")`;
      if (!TOKEN_NAME.test(name))
        throw new TokenConfigError(`${at}: the name must match ${TOKEN_NAME.source}; entries are name:role:sha256:<hex>`);
      if (!isRole(role)) throw new TokenConfigError(`${at}: the role must be one of ${ROLES.join(', ')}`);
      if (!HASH.test(hash)) throw new TokenConfigError(`${at}: expected a hash sha256:<64 hex digits> (never the token itself)`);
      if (seen.has(name)) throw new TokenConfigError(`${at}: the name appears twice`);
      seen.add(name);
      return { name, role, hash, source: 'env' as const };
    });
}
