/**
 * source.postgres split by a hash of `splitBy` (parallelism), against the real PostgreSQL:
 * partitions are disjoint, cover every row (NULL keys included), each in cursor order with its
 * own cursor; a split without splitBy is refused.
 */
import type { Event } from '@sluice/shared';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceOperator } from '../../sdk/operator.js';
import { testContext } from '../../sdk/testing/index.js';
import { adminClient, testDatabase, uniqueName } from '../test-database.js';
import { sourcePostgresDefinition } from './definition.js';
import { sourcePostgresOperator, shareCondition } from './operator.js';

const db = testDatabase();
let admin: pg.Client;
let table: string;
const sources: SourceOperator[] = [];
const ROWS = 60;

beforeAll(async () => {
  admin = await adminClient();
  table = uniqueName('src_pg_split');
  await admin.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, customer text, n int)`);
  // Customers c0..c6 and every ninth row without one (NULL: partition 0).
  await admin.query(
    `INSERT INTO "${table}" SELECT i, CASE WHEN i % 9 = 0 THEN NULL ELSE 'c' || (i % 7) END, i * 10 FROM generate_series(1, ${ROWS}) i`,
  );
});

afterAll(async () => {
  for (const s of sources) await s.close?.();
  if (table) await admin.query(`DROP TABLE IF EXISTS "${table}"`);
  await admin?.end();
});

async function partition(index: number, of: number, extra: Record<string, unknown> = {}): Promise<SourceOperator> {
  const config = sourcePostgresDefinition.config.parse({
    url: db.url,
    passwordSecret: db.passwordSecret,
    table,
    cursorColumn: 'id',
    splitBy: 'customer',
    stopAtEnd: true,
    ...extra,
  });
  const ctx = testContext({ nodeId: 'orders', config, secrets: db.secrets });
  ctx.partition = { index, of };
  const s = await sourcePostgresOperator(ctx);
  sources.push(s);
  return s;
}

async function drain(s: SourceOperator, max: number): Promise<Event[]> {
  const out: Event[] = [];
  for (let i = 0; i < 1000; i++) {
    const b = await s.poll(max);
    out.push(...b.events);
    if (b.done) return out;
  }
  throw new Error('source never ended');
}

describe('source.postgres split by splitBy', () => {
  it('3 partitions read disjoint shares that cover every row, each in cursor order; NULL keys in partition 0', async () => {
    const shares: number[][] = [];
    for (let p = 0; p < 3; p++) shares.push((await drain(await partition(p, 3), 4)).map((e) => e.id as number));
    for (const ids of shares) expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(shares.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    // The rows without a customer (every ninth) are partition 0's.
    for (const id of [9, 18, 27, 36, 45, 54]) expect(shares[0]).toContain(id);
    // Each customer's rows are all in one partition: the share PostgreSQL computes for it.
    const { rows } = await admin.query(
      `SELECT 'c' || k AS customer, mod(abs(hashtext('c' || k)::bigint), 3)::int AS p FROM generate_series(0, 6) k`,
    );
    for (const { customer, p } of rows as { customer: string; p: number }[]) {
      const ids = Array.from({ length: ROWS }, (_, i) => i + 1).filter((i) => i % 9 !== 0 && `c${i % 7}` === customer);
      for (const id of ids) expect(shares[p], `${customer} in partition ${p}`).toContain(id);
    }
  });

  it('each partition resumes from its own cursor (position/seek)', async () => {
    const first = await partition(1, 3, { batchSize: 3 });
    const head = (await first.poll(3)).events.map((e) => e.id);
    const at = first.position!();
    const rest = await drain(first, 3);
    const again = await partition(1, 3, { batchSize: 3 });
    again.seek!(at);
    expect((await drain(again, 3)).map((e) => e.id)).toEqual(rest.map((e) => e.id));
    expect(head).toHaveLength(3);
  });

  it('quotes the column and takes the partition numbers from the plan only', () => {
    expect(shareCondition('Customer', { index: 2, of: 4 })).toBe('coalesce(mod(abs(hashtext(("Customer")::text)::bigint), 4), 0) = 2');
    expect(() => shareCondition('c', { index: 4, of: 4 })).toThrow('not a partition: 4 of 4');
  });

  it('needs splitBy to split, saying so', () => {
    const split = sourcePostgresDefinition.split!;
    const config = sourcePostgresDefinition.config.parse({ url: db.url, table: 't', cursorColumn: 'id' });
    expect(split.check!(config, 3)).toBe(
      'with parallelism above 1 it needs splitBy: the column whose hash splits the rows (e.g. "customer_id")',
    );
    expect(split.check!({ ...config, splitBy: 'customer' }, 3)).toBeUndefined();
  });
});
