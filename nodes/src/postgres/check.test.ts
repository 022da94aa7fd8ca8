/** "Check connection" of source.postgres and sink.postgres against the real PostgreSQL (TEST_DATABASE_URL or 127.0.0.1:5432/test). */
import { createServer, type Server, type Socket } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../sdk/testing/index.js';
import { sinkPostgresDefinition } from './sink/definition.js';
import { adminClient, testDatabase, uniqueName } from './test-database.js';
import { checkPostgresSink, checkPostgresSource } from './check.js';
import { sourcePostgresDefinition } from './source/definition.js';

const db = testDatabase();
let admin: pg.Client;
const tables: string[] = [];

beforeAll(async () => {
  admin = await adminClient();
});

afterAll(async () => {
  for (const t of tables) await admin.query(`DROP TABLE IF EXISTS ${t}`);
  await admin?.end();
});

async function table(ddl: string, name = uniqueName('check_pg')): Promise<string> {
  await admin.query(`CREATE TABLE "${name}" (${ddl})`);
  tables.push(`"${name}"`);
  return name;
}

async function exists(name: string): Promise<boolean> {
  return (await admin.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0]?.t != null;
}

function checkSource(extra: Record<string, unknown>, secrets: Record<string, string> = db.secrets, timeoutMs?: number): Promise<string> {
  const config = sourcePostgresDefinition.config.parse({ url: db.url, passwordSecret: db.passwordSecret, ...extra });
  return checkPostgresSource(testContext({ nodeId: 'orders', config, secrets }), timeoutMs);
}

function checkSink(extra: Record<string, unknown>, secrets: Record<string, string> = db.secrets): Promise<string> {
  const config = sinkPostgresDefinition.config.parse({ url: db.url, passwordSecret: db.passwordSecret, ...extra });
  return checkPostgresSink(testContext({ nodeId: 'prices', config, secrets }));
}

describe('source.postgres: check connection', () => {
  it('names the URL and the columns of the table', async () => {
    const t = await table('id bigserial, sku text, price numeric');
    await expect(checkSource({ table: t, cursorColumn: 'id' })).resolves.toBe(
      `connected to ${db.url}; table ${t} has the columns id, sku, price`,
    );
    await expect(checkSource({ table: `public.${t}`, cursorColumn: 'id', columns: ['sku'] })).resolves.toBe(
      `connected to ${db.url}; table public.${t} has the columns id, sku, price`,
    );
  });

  it('fails as the start does when the table, a column or the cursor column is missing', async () => {
    const missing = uniqueName('nope');
    await expect(checkSource({ table: missing, cursorColumn: 'id' })).rejects.toThrow(
      `cannot read table ${missing}: relation "${missing}" does not exist`,
    );
    const t = await table('id bigserial, sku text');
    await expect(checkSource({ table: t, cursorColumn: 'id', columns: ['sku', 'qty'] })).rejects.toThrow(
      `cannot read table ${t}: column "qty" does not exist`,
    );
    await expect(checkSource({ table: t, cursorColumn: 'seq' })).rejects.toThrow(`cannot read table ${t}: column "seq" does not exist`);
  });

  it('fails naming the URL when PostgreSQL cannot be reached, and naming a secret that is not set', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/test';
    await expect(checkSource({ url, table: 't', cursorColumn: 'id' })).rejects.toThrow(
      `cannot connect to PostgreSQL at ${url}: connect ECONNREFUSED 127.0.0.1:1`,
    );
    await expect(checkSource({ table: 't', cursorColumn: 'id', passwordSecret: 'NO_SUCH_PASSWORD' }, {})).rejects.toThrow(
      'secret NO_SUCH_PASSWORD is not set',
    );
  });

  it('gives up after its time with "no answer from <url>", and closes the connection it opened', async () => {
    const silent = await silentServer();
    try {
      const url = `postgres://postgres@127.0.0.1:${silent.port}/test`;
      // No password: the silent server never gets as far as asking for one.
      await expect(checkSource({ url, table: 't', cursorColumn: 'id', passwordSecret: undefined }, {}, 300)).rejects.toThrow(
        `no answer from ${url} within 0.3 s`,
      );
      await expect.poll(() => silent.open()).toBe(0);
      expect(silent.accepted()).toBe(1);
    } finally {
      await silent.close();
    }
  });
});

describe('sink.postgres: check connection', () => {
  it('names the URL and the columns of the table; for upsert, its unique key', async () => {
    const t = await table('sku text PRIMARY KEY, price numeric, updated_at timestamptz');
    await expect(checkSink({ table: t, columns: ['sku', 'price'] })).resolves.toBe(
      `connected to ${db.url}; table ${t} has the columns sku, price, updated_at`,
    );
    await expect(checkSink({ table: t, columns: ['sku', 'price'], mode: 'upsert', key: ['sku'] })).resolves.toBe(
      `connected to ${db.url}; table ${t} has the columns sku, price, updated_at; upsert on its unique key (sku)`,
    );
  });

  it('fails naming the right the connecting user lacks (INSERT; UPDATE too for upsert), with the GRANT that fixes it', async () => {
    const t = await table('sku text PRIMARY KEY, price numeric');
    // A user of its own, with no right on the table (the test database's user may create roles; .ci/run gives it CREATEROLE).
    const user = uniqueName('check_user');
    await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD 'pw'`);
    try {
      const u = new URL(db.url);
      u.username = user;
      const as = (extra: Record<string, unknown>) =>
        checkPostgresSink(
          testContext({
            nodeId: 'prices',
            config: sinkPostgresDefinition.config.parse({ url: u.toString(), passwordSecret: 'PW', ...extra }),
            secrets: { PW: 'pw' },
          }),
        );
      await expect(as({ table: t, columns: ['sku', 'price'] })).rejects.toThrow(
        `user ${user} may not INSERT on table ${t} (GRANT INSERT ON ${t} TO ${user})`,
      );
      await admin.query(`GRANT INSERT ON "${t}" TO ${user}`);
      await expect(as({ table: t, columns: ['sku', 'price'] })).resolves.toContain(`table ${t} has the columns sku, price`);
      await expect(as({ table: t, columns: ['sku', 'price'], mode: 'upsert', key: ['sku'] })).rejects.toThrow(
        `user ${user} may not UPDATE on table ${t}`,
      );
    } finally {
      // Roles are the cluster's, not the database's: leave none behind.
      await admin.query(`REVOKE ALL ON "${t}" FROM ${user}`);
      await admin.query(`DROP ROLE ${user}`);
    }
  });

  it('fails as the start does when the table is missing (createTable off)', async () => {
    const missing = uniqueName('Nope');
    await expect(checkSink({ table: missing, columns: ['a'] })).rejects.toThrow(
      `table ${missing} does not exist; names are case-sensitive: a table created as ${missing} without quotes is ${missing.toLowerCase()} (or set createTable: true)`,
    );
  });

  it('fails naming a configured column the table does not have', async () => {
    const t = await table('sku text, price numeric');
    await expect(checkSink({ table: t, columns: ['sku', 'qty', 'Price'] })).rejects.toThrow(
      `table ${t} has no column "qty", "Price"; names are case-sensitive (always quoted) (it has sku, price)`,
    );
  });

  it('fails an upsert whose key is no primary key or unique constraint', async () => {
    const t = await table('sku text, site text, price numeric, UNIQUE (sku, site)');
    await expect(checkSink({ table: t, columns: ['sku', 'site', 'price'], mode: 'upsert', key: ['sku'] })).rejects.toThrow(
      `table ${t} has no primary key or unique constraint on exactly (sku), which upsert needs (ON CONFLICT)`,
    );
    await expect(checkSink({ table: t, columns: ['sku', 'site', 'price'], mode: 'upsert', key: ['site', 'sku'] })).resolves.toContain(
      'upsert on its unique key (site, sku)',
    );
  });

  it('with createTable, a missing table is fine and is not created; a missing schema is not', async () => {
    const missing = uniqueName('check_pg_new');
    tables.push(`"${missing}"`);
    await expect(checkSink({ table: missing, columns: ['a'], createTable: true })).resolves.toBe(
      `connected to ${db.url}; table ${missing} does not exist yet: the first write creates it (createTable)`,
    );
    expect(await exists(`"${missing}"`)).toBe(false);
    const schema = uniqueName('no_schema');
    await expect(checkSink({ table: `${schema}.t`, columns: ['a'], createTable: true })).rejects.toThrow(
      `schema ${schema} does not exist: createTable creates the table ${schema}.t, not its schema`,
    );
  });

  it('fails naming the URL when PostgreSQL cannot be reached', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/test';
    await expect(checkSink({ url, table: 't', columns: ['a'] })).rejects.toThrow(
      `cannot connect to PostgreSQL at ${url}: connect ECONNREFUSED 127.0.0.1:1`,
    );
  });
});

/** A TCP server that accepts and never answers: counts connections accepted and still open. */
async function silentServer(): Promise<{ port: number; accepted(): number; open(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.resume(); // read and drop what the client says, so its end is seen
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    accepted: () => accepted,
    open: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
