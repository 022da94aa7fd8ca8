/** sink.postgres against the real PostgreSQL (TEST_DATABASE_URL or 127.0.0.1:5432/test). */
import { EVENT_TIME, type Event } from '@sluice/shared';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkOperator } from '../../sdk/operator.js';
import { recordingCollector, testContext } from '../../sdk/testing/index.js';
import { sinkPostgresDefinition } from './definition.js';
import { sinkPostgresOperator } from './operator.js';
import { insertSql } from './sql.js';
import { adminClient, testDatabase, uniqueName } from '../test-database.js';

const db = testDatabase();
const col = recordingCollector('out', () => true);
let admin: pg.Client;
const tables: string[] = [];

beforeAll(async () => {
  admin = await adminClient();
});

afterAll(async () => {
  for (const t of tables) await admin.query(`DROP TABLE IF EXISTS ${t}`);
  await admin?.end();
});

/** Creates a table with a unique name; `ddl` holds its columns. Returns the name. */
async function table(ddl: string, name = uniqueName('sink_pg')): Promise<string> {
  await admin.query(`CREATE TABLE "${name}" (${ddl})`);
  tables.push(`"${name}"`);
  return name;
}

function config(extra: Record<string, unknown>) {
  return sinkPostgresDefinition.config.parse({ url: db.url, passwordSecret: db.passwordSecret, ...extra });
}

async function sink(extra: Record<string, unknown>): Promise<SinkOperator> {
  return (await sinkPostgresOperator(testContext({ nodeId: 'out', config: config(extra), secrets: db.secrets }))) as SinkOperator;
}

async function rows(sql: string): Promise<unknown[]> {
  return (await admin.query(sql)).rows;
}

describe('sink.postgres: insert', () => {
  it('writes each event as one row of the listed columns: missing fields NULL, objects as JSON, metadata ignored', async () => {
    const t = await table('id int, name text, amount double precision, ok boolean, tags jsonb');
    const s = await sink({ table: t, columns: ['id', 'name', 'amount', 'ok', 'tags'] });
    s.process(
      [Object.freeze({ id: 1, name: 'a', amount: 2.5, ok: true, tags: { x: [1, 2] }, other: 'not written', [EVENT_TIME]: 5 }) as Event],
      col,
      'in',
    );
    s.process(
      [
        { id: 2, name: 'it\'s "quoted"', tags: ['p', 'q'] },
        { id: 3, amount: -1, ok: false },
      ],
      col,
      'in',
    );
    await s.flush!();
    expect(await rows(`SELECT * FROM "${t}" ORDER BY id`)).toEqual([
      { id: 1, name: 'a', amount: 2.5, ok: true, tags: { x: [1, 2] } },
      { id: 2, name: 'it\'s "quoted"', amount: null, ok: null, tags: ['p', 'q'] },
      { id: 3, name: null, amount: -1, ok: false, tags: null },
    ]);
    await s.close!();
  });

  it('writes a large batch in chunks of statements, in one transaction, in order', async () => {
    const t = await table('seq int, pad text');
    const s = await sink({ table: t, columns: ['seq', 'pad'] });
    s.process(
      Array.from({ length: 2500 }, (_, i) => ({ seq: i, pad: `p${i}` })),
      col,
      'in',
    );
    await s.flush!();
    await s.close!();
    expect(await rows(`SELECT count(*)::int AS n, min(seq) AS lo, max(seq) AS hi, count(DISTINCT seq)::int AS d FROM "${t}"`)).toEqual([
      { n: 2500, lo: 0, hi: 2499, d: 2500 },
    ]);
  });

  it('insert is at-least-once: a batch written twice gives its rows twice', async () => {
    const t = await table('id int');
    for (let attempt = 0; attempt < 2; attempt++) {
      const s = await sink({ table: t, columns: ['id'] });
      s.process([{ id: 1 }, { id: 2 }], col, 'in');
      await s.flush!();
      await s.close!();
    }
    expect(await rows(`SELECT id FROM "${t}" ORDER BY id`)).toEqual([{ id: 1 }, { id: 1 }, { id: 2 }, { id: 2 }]);
  });

  it('writes on its own once 5000 rows wait, without a flush (memory stays bounded between flushes)', async () => {
    const t = await table('id int');
    const s = await sink({ table: t, columns: ['id'] });
    s.process(
      Array.from({ length: 5000 }, (_, i) => ({ id: i })),
      col,
      'in',
    );
    let seen = 0;
    for (let i = 0; i < 50 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = (await rows(`SELECT id FROM "${t}"`)).length;
    }
    expect(seen).toBe(5000);
    await s.flush!();
    await s.close!();
  });
});

describe('sink.postgres: upsert', () => {
  it('the same batch written twice leaves each key once, with the last value of the batch', async () => {
    const t = await table('sku text PRIMARY KEY, price double precision, qty int');
    const batch = [
      { sku: 'A', price: 1, qty: 1 },
      { sku: 'B', price: 2, qty: 5 },
      { sku: 'A', price: 3, qty: 2 },
    ];
    for (let attempt = 0; attempt < 2; attempt++) {
      const s = await sink({ table: t, columns: ['sku', 'price', 'qty'], mode: 'upsert', key: ['sku'] });
      s.process(batch, col, 'in');
      await s.flush!();
      await s.close!();
    }
    expect(await rows(`SELECT * FROM "${t}" ORDER BY sku`)).toEqual([
      { sku: 'A', price: 3, qty: 2 },
      { sku: 'B', price: 2, qty: 5 },
    ]);
    const s = await sink({ table: t, columns: ['sku', 'price'], mode: 'upsert', key: ['sku'] });
    s.process([{ sku: 'B', price: 9, qty: 100 }], col, 'in');
    await s.flush!();
    await s.close!();
    // Only the listed columns are updated: qty keeps its value.
    expect(await rows(`SELECT * FROM "${t}" WHERE sku = 'B'`)).toEqual([{ sku: 'B', price: 9, qty: 5 }]);
  });

  it('with a composite key, and DO NOTHING when every column is key', async () => {
    const t = await table('a int, b text, PRIMARY KEY (a, b)');
    const s = await sink({ table: t, columns: ['a', 'b'], mode: 'upsert', key: ['a', 'b'] });
    s.process(
      [
        { a: 1, b: 'x' },
        { a: 1, b: 'y' },
        { a: 1, b: 'x' },
      ],
      col,
      'in',
    );
    await s.flush!();
    s.process([{ a: 1, b: 'x' }], col, 'in');
    await s.flush!();
    await s.close!();
    expect(await rows(`SELECT * FROM "${t}" ORDER BY b`)).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
    ]);
    expect(insertSql('s.t', ['a', 'b'], 1, ['a', 'b'])).toBe(
      'INSERT INTO "s"."t" ("a","b") VALUES ($1,$2) ON CONFLICT ("a","b") DO NOTHING',
    );
  });
});

describe('sink.postgres: names and failures', () => {
  it('quotes names, so a table with capital letters is written as named, in another schema too', async () => {
    const t = await table('"Amount" int', uniqueName('Sink_PG_Upper'));
    const s = await sink({ table: `public.${t}`, columns: ['Amount'] });
    s.process([{ Amount: 4 }], col, 'in');
    await s.flush!();
    await s.close!();
    expect(await rows(`SELECT * FROM "${t}"`)).toEqual([{ Amount: 4 }]);
  });

  it('refuses a table or column name that is not a plain identifier, naming the field', () => {
    const bad = (extra: Record<string, unknown>) =>
      sinkPostgresDefinition.config
        .safeParse({ url: db.url, columns: ['a'], table: 't', ...extra })
        .error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(bad({ table: 'my orders' })).toEqual([
      ['table', expect.stringMatching(/^a table is "name" or "schema.name".*spaces, quotes and other characters are refused/)],
    ]);
    expect(bad({ table: 'a.b.c' })?.[0]?.[0]).toBe('table');
    expect(bad({ table: 't"; DROP TABLE x; --' })?.[0]?.[0]).toBe('table');
    expect(bad({ columns: ['ok', 'no-dash'] })).toEqual([
      ['columns.1', 'a column name is letters, digits and _, not starting with a digit'],
    ]);
    expect(bad({ columns: [] })?.[0]?.[0]).toBe('columns');
  });

  it('fails at start when the table does not exist, with a hint about case', async () => {
    const name = uniqueName('Missing');
    await expect(sink({ table: name, columns: ['a'] })).rejects.toThrow(
      `table ${name} does not exist; names are case-sensitive: a table created as ${name} without quotes is ${name.toLowerCase()} (or set createTable: true)`,
    );
  });

  it("a row of the wrong type fails the flush naming the node, the table and PostgreSQL's message; nothing of the batch is written", async () => {
    const t = await table('id int, n int');
    const s = await sink({ table: t, columns: ['id', 'n'] });
    s.process(
      [
        { id: 1, n: 1 },
        { id: 2, n: 'many' },
      ],
      col,
      'in',
    );
    await expect(s.flush!()).rejects.toThrow(`out: cannot write to table ${t}: invalid input syntax for type integer: "many"`);
    expect(await rows(`SELECT * FROM "${t}"`)).toEqual([]);
    // The run is failing: later batches are refused rather than written after a gap.
    expect(() => s.process([{ id: 3, n: 3 }], col, 'in')).toThrow(/cannot write to table/);
    await s.close!();
  });

  it('fails clearly when PostgreSQL cannot be reached or a secret is not set', async () => {
    await expect(sink({ url: 'postgres://postgres@127.0.0.1:1/test', table: 't', columns: ['a'] })).rejects.toThrow(
      /^cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test: .+/,
    );
    await expect(sink({ passwordSecret: 'NOT_SET_ANYWHERE', table: 't', columns: ['a'] })).rejects.toThrow(/NOT_SET_ANYWHERE/);
  });
});

describe('sink.postgres: createTable', () => {
  it('creates a missing table with types from the first events, the upsert key as primary key', async () => {
    const t = uniqueName('sink_pg_created');
    tables.push(`"${t}"`);
    const s = await sink({ table: t, columns: ['sku', 'price', 'live', 'meta', 'note'], mode: 'upsert', key: ['sku'], createTable: true });
    s.process(
      [
        { sku: 'A', price: 1.5, live: true, meta: { a: 1 } },
        { sku: 'A', price: 2, note: null },
      ],
      col,
      'in',
    );
    await s.flush!();
    s.process([{ sku: 'B', price: 3, note: 'n' }], col, 'in');
    await s.flush!();
    await s.close!();
    const types = await rows(
      `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = '${t}' ORDER BY ordinal_position`,
    );
    expect(types).toEqual([
      { c: 'sku', t: 'text' },
      { c: 'price', t: 'double precision' },
      { c: 'live', t: 'boolean' },
      { c: 'meta', t: 'jsonb' },
      { c: 'note', t: 'text' },
    ]);
    expect(await rows(`SELECT * FROM "${t}" ORDER BY sku`)).toEqual([
      { sku: 'A', price: 2, live: null, meta: null, note: null },
      { sku: 'B', price: 3, live: null, meta: null, note: 'n' },
    ]);
  });
});

describe('sink.postgres: definition', () => {
  it('refuses an inline password, upsert without key, a key outside columns; accepts its example', () => {
    const check = (extra: Record<string, unknown>) =>
      sinkPostgresDefinition.check!(sinkPostgresDefinition.config.parse({ table: 't', columns: ['a', 'b'], ...extra }));
    expect(check({ url: 'postgres://sluice:hunter2@db:5432/shop' })).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
    ]);
    expect(check({ url: 'postgres://sluice@db/shop', mode: 'upsert' })).toEqual([expect.objectContaining({ path: 'config.key' })]);
    expect(check({ url: 'postgres://sluice@db/shop', mode: 'upsert', key: ['a', 'z'] })).toEqual([
      { path: 'config.key.1', message: 'key column "z" is not in columns' },
    ]);
    expect(check({ url: 'postgres://sluice@db/shop', columns: ['a', 'a'] })).toEqual([
      { path: 'config.columns.1', message: 'column "a" is listed twice' },
    ]);
    expect(sinkPostgresDefinition.config.safeParse({ url: 'mysql://x@y/z', table: 't', columns: ['a'] }).success).toBe(false);
    const example = sinkPostgresDefinition.config.parse(sinkPostgresDefinition.example);
    expect(sinkPostgresDefinition.check!(example)).toEqual([]);
    expect(sinkPostgresDefinition.outputs(example)).toEqual([]);
  });
});
