/**
 * For tests (the PostgreSQL nodes' and test/connectors'): the real database at
 * TEST_DATABASE_URL (CI sets it), else postgres://postgres@127.0.0.1:5432/test, as the engine's
 * PostgreSQL tests do. A password in that URL is moved into a secret, as a document would have it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const TEST_PASSWORD_SECRET = 'TEST_PG_PASSWORD';

export interface TestDatabase {
  /** The URL without its password. */
  url: string;
  /** `passwordSecret` for configs, when the URL had a password. */
  passwordSecret?: string;
  /** Secret values for `testContext({ secrets })` / the runner's secret lookup. */
  secrets: Record<string, string>;
}

export function testDatabase(): TestDatabase {
  const u = new URL(DATABASE_URL);
  const password = decodeURIComponent(u.password);
  u.password = '';
  if (password === '') return { url: u.toString(), secrets: {} };
  return { url: u.toString(), passwordSecret: TEST_PASSWORD_SECRET, secrets: { [TEST_PASSWORD_SECRET]: password } };
}

/** A connection for setting up and checking tables. Fails loudly when PostgreSQL is not there. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `these tests need PostgreSQL at ${testDatabase().url} (set TEST_DATABASE_URL): ${(err as Error).message || String(err)}`,
    );
  }
  return client;
}

/** A table name nobody else uses: `<prefix>_<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}
