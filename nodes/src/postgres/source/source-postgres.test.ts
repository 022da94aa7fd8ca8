/** source.postgres against the real PostgreSQL (TEST_DATABASE_URL or 127.0.0.1:5432/test). */
import { EVENT_TIME, type Event, INGEST_TIME } from '@sluice/shared';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceBatch, SourceOperator } from '../../sdk/operator.js';
import { testContext } from '../../sdk/testing/index.js';
import { adminClient, testDatabase, uniqueName } from '../test-database.js';
import { sourcePostgresDefinition } from './definition.js';
import { sourcePostgresOperator } from './operator.js';
import { numericValue } from './values.js';

const db = testDatabase();
let admin: pg.Client;
const tables: string[] = [];
const sources: SourceOperator[] = [];

beforeAll(async () => {
  admin = await adminClient();
});

afterAll(async () => {
  for (const s of sources) await s.close?.();
  for (const t of tables) await admin.query(`DROP TABLE IF EXISTS "${t}"`);
  await admin?.end();
});

async function table(ddl: string, name = uniqueName('src_pg')): Promise<string> {
  await admin.query(`CREATE TABLE "${name}" (${ddl})`);
  tables.push(name);
  return name;
}

async function source(extra: Record<string, unknown>, now: () => number = () => 1_000): Promise<SourceOperator> {
  const config = sourcePostgresDefinition.config.parse({ url: db.url, passwordSecret: db.passwordSecret, ...extra });
  const s = await sourcePostgresOperator(testContext({ nodeId: 'orders', config, now, secrets: db.secrets }));
  sources.push(s);
  return s;
}

const plain = (events: readonly Event[]): Record<string, unknown>[] => JSON.parse(JSON.stringify(events));

async function drain(
  s: SourceOperator,
  max = 1000,
): Promise<{ events: Event[]; errors: NonNullable<SourceBatch['errors']>; polls: number }> {
  const events: Event[] = [];
  const errors: NonNullable<SourceBatch['errors']> = [];
  for (let polls = 1; polls < 1000; polls++) {
    const b = await s.poll(max);
    events.push(...b.events);
    errors.push(...(b.errors ?? []));
    if (b.done) return { events, errors, polls };
  }
  throw new Error('source never ended');
}

describe('source.postgres: reading', () => {
  it('reads rows in cursor order whatever the insertion order, values mapped to JSON-friendly ones', async () => {
    const t = await table(
      'id bigint PRIMARY KEY, big bigint, price numeric, exact numeric, at timestamptz, local timestamp, day date, doc jsonb, ok boolean, n int',
    );
    await admin.query(`INSERT INTO "${t}" VALUES
      (3, 1, 0.1, 123456789012345678901234.5, '2026-01-01 10:00:00.123456+02', '2026-01-01 10:00:00.5', '2026-03-04', '{"a":[1,"x"]}', true, 7),
      (1, 9007199254740993, 12.50, 1, NULL, NULL, NULL, NULL, NULL, NULL),
      (2, -5, -0.000, 2, '2026-01-01T00:00:00Z', '2026-01-01 00:00:00', '2026-01-01', 'null', false, -1)`);
    const { events, errors } = await drain(await source({ table: t, cursorColumn: 'id', stopAtEnd: true }));
    expect(errors).toEqual([]);
    expect(plain(events)).toEqual([
      { id: 1, big: '9007199254740993', price: 12.5, exact: 1, at: null, local: null, day: null, doc: null, ok: null, n: null },
      {
        id: 2,
        big: -5,
        price: 0,
        exact: 2,
        at: '2026-01-01T00:00:00.000Z',
        local: '2026-01-01T00:00:00.000Z',
        day: '2026-01-01',
        doc: null,
        ok: false,
        n: -1,
      },
      {
        id: 3,
        big: 1,
        price: 0.1,
        exact: '123456789012345678901234.5',
        at: '2026-01-01T08:00:00.123Z',
        local: '2026-01-01T10:00:00.500Z',
        day: '2026-03-04',
        doc: { a: [1, 'x'] },
        ok: true,
        n: 7,
      },
    ]);
    expect(events.map((e) => e[EVENT_TIME])).toEqual([1000, 1000, 1000]);
  });

  it('maps numeric to a number only when the number reads back as the same decimal', () => {
    expect([numericValue('12.50'), numericValue('-0012.340'), numericValue('100'), numericValue('0.1')]).toEqual([12.5, -12.34, 100, 0.1]);
    expect([numericValue('NaN'), numericValue('12345678901234567890'), numericValue('0.12345678901234567890')]).toEqual([
      'NaN',
      '12345678901234567890',
      '0.12345678901234567890',
    ]);
  });

  it('reads only the listed columns, names quoted (capital letters kept), in batches of batchSize', async () => {
    const t = await table('"Id" bigserial, "Name" text, secret text', uniqueName('Src_PG_Upper'));
    await admin.query(`INSERT INTO "${t}" ("Name", secret) SELECT 'n' || g, 'x' FROM generate_series(1, 5) g`);
    const s = await source({ table: `public.${t}`, cursorColumn: 'Id', columns: ['Name'], batchSize: 2, stopAtEnd: true });
    const sizes: number[] = [];
    const names: unknown[] = [];
    for (;;) {
      const b = await s.poll(1000);
      sizes.push(b.events.length);
      names.push(...b.events.map((e) => e.Name));
      expect(Object.keys(b.events[0] ?? { Name: 1 })).toEqual(['Name']);
      if (b.done) break;
    }
    expect(names).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    // The third read got 1 row, fewer than asked: the end of the table, so the source ended.
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('takes the event time from timeField (a timestamptz) and sends a row without one to errors', async () => {
    const t = await table('id serial, at timestamptz, v int');
    await admin.query(`INSERT INTO "${t}" (at, v) VALUES ('1970-01-01 00:00:10Z', 1), (NULL, 2), ('1970-01-01 00:00:04Z', 3)`);
    const s = await source({ table: t, cursorColumn: 'id', timeField: 'at', maxOutOfOrderness: '5s', stopAtEnd: true }, () => 99);
    const b = await s.poll(100);
    expect(plain(b.events).map((e) => e.v)).toEqual([1, 3]);
    expect(b.events.map((e) => [e[EVENT_TIME], e[INGEST_TIME]])).toEqual([
      [10_000, 99],
      [4_000, 99],
    ]);
    expect(b.watermark).toBe(5_000);
    expect(b.errors).toEqual([{ event: { id: 2, at: null, v: 2 }, error: 'id 2: timeField "at" is missing' }]);
    expect(b.done).toBe(true);
  });
});

describe('source.postgres: unbounded, checkpoints', () => {
  it('never ends by itself; once caught up asks again only after pollInterval, then reads the new rows', async () => {
    const t = await table('id bigserial, v text');
    await admin.query(`INSERT INTO "${t}" (v) VALUES ('a'), ('b')`);
    let now = 0;
    const s = await source({ table: t, cursorColumn: 'id', pollInterval: '2s' }, () => now);
    const first = await s.poll(10);
    expect([plain(first.events).map((e) => e.v), first.done]).toEqual([['a', 'b'], false]);
    // Without a timeField the watermark follows the clock.
    expect(first.watermark).toBe(0);
    await admin.query(`INSERT INTO "${t}" (v) VALUES ('c')`);
    now = 1_999;
    const quiet = await s.poll(10);
    expect([quiet.events, quiet.done, quiet.watermark]).toEqual([[], false, 1_999]);
    now = 2_000;
    expect(plain((await s.poll(10)).events).map((e) => e.v)).toEqual(['c']);
  });

  it('position() is the last cursor read; seek() resumes right after it, exactly, beyond 2^53 too', async () => {
    const t = await table('id bigint PRIMARY KEY, v int');
    await admin.query(`INSERT INTO "${t}" VALUES (9007199254740993, 1), (9007199254740994, 2), (9007199254740995, 3), (1, 0)`);
    const a = await source({ table: t, cursorColumn: 'id', stopAtEnd: true });
    expect(a.position!()).toEqual({ cursor: null, maxTime: null });
    const b1 = await a.poll(2);
    expect(plain(b1.events).map((e) => [e.id, e.v])).toEqual([
      [1, 0],
      ['9007199254740993', 1],
    ]);
    const pos = JSON.parse(JSON.stringify(a.position!()));
    expect(pos).toEqual({ cursor: '9007199254740993', maxTime: 1000 });
    const b = await source({ table: t, cursorColumn: 'id', stopAtEnd: true });
    await b.seek!(pos);
    const rest = await drain(b);
    expect(plain(rest.events).map((e) => e.v)).toEqual([2, 3]);
    // An ended source sought back reads again (BullMQ replays an interrupted batch this way).
    await b.seek!(pos);
    expect(plain((await drain(b)).events).map((e) => e.v)).toEqual([2, 3]);
  });

  it('resumes after the last row with a timestamp cursor that has microseconds', async () => {
    const t = await table('at timestamptz PRIMARY KEY, v int');
    await admin.query(`INSERT INTO "${t}" VALUES ('2026-01-01 00:00:00.000001Z', 1), ('2026-01-01 00:00:00.000002Z', 2)`);
    const a = await source({ table: t, cursorColumn: 'at', stopAtEnd: true });
    await a.poll(1);
    const b = await source({ table: t, cursorColumn: 'at', stopAtEnd: true });
    await b.seek!(a.position!());
    expect(plain((await drain(b)).events).map((e) => e.v)).toEqual([2]);
  });

  it("fails at start, naming the table and PostgreSQL's message, when the table or a column is missing", async () => {
    const missing = uniqueName('nope');
    await expect(source({ table: missing, cursorColumn: 'id' })).rejects.toThrow(
      `cannot read table ${missing}: relation "${missing}" does not exist`,
    );
    const t = await table('id int');
    await expect(source({ table: t, cursorColumn: 'Id' })).rejects.toThrow(
      `cannot read table ${t}: column "Id" does not exist hint: Perhaps you meant to reference the column "${t}.id".`,
    );
    const upper = uniqueName('Nope');
    await expect(source({ table: upper, cursorColumn: 'id' })).rejects.toThrow(
      `cannot read table ${upper}: relation "${upper}" does not exist; names are case-sensitive (always quoted)`,
    );
  });
});

describe('source.postgres: a row committed late behind a higher id', () => {
  /**
   * Writer A takes id 1 and holds its transaction open; writer B takes id 2 and commits. Then A
   * commits, and a third row (id 3) is inserted. Reads poll until id 3 came out.
   */
  async function lateCommit(config: Record<string, unknown>): Promise<number[]> {
    const t = await table('id bigserial PRIMARY KEY, v text');
    const s = await source({ table: t, cursorColumn: 'id', pollInterval: '0s', ...config });
    const writerA = await adminClient();
    const seen: number[] = [];
    const read = async () => {
      for (const e of (await s.poll(100)).events) seen.push(e.id as number);
    };
    try {
      await writerA.query('BEGIN');
      await writerA.query(`INSERT INTO "${t}" (v) VALUES ('a')`);
      await admin.query(`INSERT INTO "${t}" (v) VALUES ('b')`);
      await read();
      await read();
      await writerA.query('COMMIT');
      await admin.query(`INSERT INTO "${t}" (v) VALUES ('c')`);
      const deadline = Date.now() + 20_000;
      while (!seen.includes(3)) {
        if (Date.now() > deadline) throw new Error(`id 3 not read within 20 s; read ${JSON.stringify(seen)}`);
        await read();
      }
    } finally {
      await writerA.query('ROLLBACK').catch(() => undefined);
      await writerA.end();
    }
    return seen;
  }

  it('is never read by default: the cursor passed it (documented)', async () => {
    expect(await lateCommit({})).toEqual([2, 3]);
  });

  it('is read, in order and once, with waitForTransactions: id 2 waits until writer A has committed', async () => {
    expect(await lateCommit({ waitForTransactions: true })).toEqual([1, 2, 3]);
  });

  it('a backfill (stopAtEnd) does not end while a transaction could still commit a lower id', async () => {
    const t = await table('id bigserial PRIMARY KEY, v text');
    const writerA = await adminClient();
    try {
      await writerA.query('BEGIN');
      await writerA.query(`INSERT INTO "${t}" (v) VALUES ('a')`);
      await admin.query(`INSERT INTO "${t}" (v) VALUES ('b')`);
      const s = await source({ table: t, cursorColumn: 'id', pollInterval: '0s', stopAtEnd: true, waitForTransactions: true });
      const first = await s.poll(100);
      expect({ events: first.events.length, done: first.done }).toEqual({ events: 0, done: false });
      await writerA.query('COMMIT');
      expect(plain((await drain(s)).events).map((e) => e.id)).toEqual([1, 2]);
    } finally {
      await writerA.query('ROLLBACK').catch(() => undefined);
      await writerA.end();
    }
  });
});

describe('source.postgres: definition', () => {
  it('refuses an inline password, is bounded only with stopAtEnd, accepts its example', () => {
    const parse = (extra: Record<string, unknown>) =>
      sourcePostgresDefinition.config.parse({ url: 'postgres://u@h/db', table: 't', cursorColumn: 'id', ...extra });
    expect(sourcePostgresDefinition.check!(parse({ url: 'postgresql://u:secret@h/db' }))).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
    ]);
    expect(parse({})).toMatchObject({ pollInterval: '1s', batchSize: 1000, maxOutOfOrderness: '0s', stopAtEnd: false });
    expect(sourcePostgresDefinition.bounded!(parse({}))).toBe(false);
    expect(sourcePostgresDefinition.bounded!(parse({ stopAtEnd: true }))).toBe(true);
    expect(sourcePostgresDefinition.config.safeParse({ url: 'postgres://u@h/db', table: 't', cursorColumn: 'id; --' }).success).toBe(false);
    const example = sourcePostgresDefinition.config.parse(sourcePostgresDefinition.example);
    expect(sourcePostgresDefinition.check!(example)).toEqual([]);
    expect(sourcePostgresDefinition.outputs(example).map((p) => p.name)).toEqual(['out', 'error']);
  });
});
