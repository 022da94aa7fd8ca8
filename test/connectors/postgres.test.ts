/**
 * source.postgres -> filter -> map -> sink.postgres through the embedded runner, against the
 * real PostgreSQL (TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretEnvVar } from '@sluice/nodes/sdk';
import { compilePipeline, EmbeddedRunner } from '@sluice/engine';
import { compiled, runToEnd } from '@sluice/engine/testing';
import { adminClient, testDatabase, uniqueName } from '../../nodes/src/postgres/test-database.js';
import { tempFolders } from '@sluice/nodes/testing';

const tmpPg = tempFolders('sluice-pg-');

const db = testDatabase();
// The runner reads secrets from the environment, as the server and workers do.
for (const [name, value] of Object.entries(db.secrets)) process.env[secretEnvVar(name)] = value;

let admin: Awaited<ReturnType<typeof adminClient>>;
const tables: string[] = [];
const dir = tmpPg();

beforeAll(async () => {
  admin = await adminClient();
});

afterAll(async () => {
  for (const t of tables) await admin.query(`DROP TABLE IF EXISTS "${t}"`);
  await admin?.end();
});

async function table(ddl: string): Promise<string> {
  const name = uniqueName('pipe_pg');
  await admin.query(`CREATE TABLE "${name}" (${ddl})`);
  tables.push(name);
  return name;
}

const conn = { url: db.url, ...(db.passwordSecret ? { passwordSecret: db.passwordSecret } : {}) };

function pipeline(from: string, to: string, source: Record<string, unknown> = {}, sink: Record<string, unknown> = {}) {
  return {
    format: 'sluice/v1',
    nodes: [
      {
        id: 'orders',
        type: 'source.postgres',
        config: { ...conn, table: from, cursorColumn: 'id', timeField: 'created_at', stopAtEnd: true, ...source },
      },
      { id: 'paid', type: 'filter', config: { expression: 'qty > 0' } },
      { id: 'totals', type: 'map', config: { set: { order_id: 'id', total: 'qty * price', sku: 'upper(sku)' } } },
      {
        id: 'out',
        type: 'sink.postgres',
        config: { ...conn, table: to, columns: ['order_id', 'sku', 'total'], mode: 'upsert', key: ['order_id'], ...sink },
      },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'paid' },
      { id: 'e2', source: 'paid', target: 'totals' },
      { id: 'e3', source: 'totals', target: 'out' },
    ],
  };
}

/** Waits (10 s at most) until `t` holds `n` rows. */
async function rowsEventually(t: string, n: number): Promise<void> {
  let seen = -1;
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    seen = (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`)).rows[0]!.n;
    if (seen === n) return;
  }
  throw new Error(`${t} holds ${seen} rows, not ${n}, after 10 s`);
}

async function ordersTable(): Promise<string> {
  const t = await table('id bigserial PRIMARY KEY, sku text, qty int, price numeric, created_at timestamptz');
  await admin.query(
    `INSERT INTO "${t}" (sku, qty, price, created_at) VALUES ('a-1', 2, 2.50, '2026-01-01 00:00:01Z'), ('b-2', 0, 9, '2026-01-01 00:00:02Z'), ('c-3', 3, 1.25, '2026-01-01 00:00:03Z')`,
  );
  return t;
}

describe('PostgreSQL pipeline through the embedded runner', () => {
  it('reads a table, filters and computes, and upserts: a second run leaves the same rows', async () => {
    const from = await ordersTable();
    const to = await table('order_id bigint PRIMARY KEY, sku text, total double precision');
    for (let run = 0; run < 2; run++) {
      const result = await runToEnd(new EmbeddedRunner(), pipeline(from, to), { baseDir: dir });
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('completed');
      expect(result.metrics.nodes.orders).toMatchObject({ out: 3, errors: 0 });
      expect(result.metrics.nodes.out).toMatchObject({ in: 2 });
      expect((await admin.query(`SELECT * FROM "${to}" ORDER BY order_id`)).rows).toEqual([
        { order_id: '1', sku: 'A-1', total: 5 },
        { order_id: '3', sku: 'C-3', total: 3.75 },
      ]);
    }
  });

  it('keeps reading new rows while unbounded, and writes them without waiting for the end', async () => {
    const from = await ordersTable();
    const to = await table('order_id bigint PRIMARY KEY, sku text, total double precision');
    const handle = await new EmbeddedRunner().deploy(compiled(pipeline(from, to, { stopAtEnd: false, pollInterval: '50ms' })), {
      baseDir: dir,
    });
    await rowsEventually(to, 2);
    await admin.query(`INSERT INTO "${from}" (sku, qty, price, created_at) VALUES ('d-4', 1, 10, '2026-01-01 00:00:04Z')`);
    await rowsEventually(to, 3);
    expect(handle.status()).toBe('running');
    const result = await handle.stop();
    expect(result.status).toBe('stopped');
    expect((await admin.query(`SELECT sku, total FROM "${to}" WHERE order_id = 4`)).rows).toEqual([{ sku: 'D-4', total: 10 }]);
  });

  it("fails the run when the sink cannot write, naming the node, the table and PostgreSQL's message", async () => {
    const from = await ordersTable();
    const to = await table('order_id bigint PRIMARY KEY, sku int, total double precision');
    const result = await runToEnd(new EmbeddedRunner(), pipeline(from, to), { baseDir: dir });
    expect(result.status).toBe('failed');
    expect(result.error).toBe(`out: cannot write to table ${to}: invalid input syntax for type integer: "A-1"`);
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${to}"`)).rows).toEqual([{ n: 0 }]);
  });

  it('refuses a document with a password in a URL before anything runs, naming the node and field', () => {
    const doc = pipeline('a', 'b', { url: 'postgres://sluice:hunter2@db:5432/shop' });
    const { document, diagnostics } = compilePipeline(doc);
    expect(document).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ nodeId: 'orders', path: 'config.url', code: 'inline-password', severity: 'error' }),
    ]);
  });

  it('refuses to start when the source table is missing, naming the node and the table', async () => {
    const missing = uniqueName('missing');
    await expect(new EmbeddedRunner().deploy(compiled(pipeline(missing, 'x')), { baseDir: dir })).rejects.toThrow(
      `orders: cannot read table ${missing}: relation "${missing}" does not exist`,
    );
  });
});
