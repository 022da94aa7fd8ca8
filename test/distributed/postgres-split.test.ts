/**
 * source.postgres split by a hash of `splitBy` (parallelism 4) on BullMQ with 2 `sluice worker`
 * processes, against the real PostgreSQL and Redis: 10 s windows of counts and sums per
 * customer, compared exactly with the windows computed by hand from the rows' formula (lost 0,
 * duplicated 0). Then the same with a worker killed (SIGKILL) while the partitions are being read:
 * the survivor takes its partitions over from their checkpoints, and the windows are the same.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretEnvVar } from '@sluice/nodes/sdk';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { BullmqRunner, spawnWorkers } from '@sluice/engine';
import { compiled, deletePrefixKeys, readJsonl, RedisKeys } from '@sluice/engine/testing';
import { adminClient, testDatabase, uniqueName } from '../../nodes/src/postgres/test-database.js';
import { eachHoldsOne, kill9, waitFor } from './support/split-holders.js';

const tmpPgsplit = tempFolders('sluice-pgsplit-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const db = testDatabase();
for (const [name, value] of Object.entries(db.secrets)) process.env[secretEnvVar(name)] = value;

const ROWS = 12_000;
const CUSTOMERS = 12;
const PARTITIONS = 4;
const PID = 'pg-split';

let admin: Awaited<ReturnType<typeof adminClient>>;
let table: string;
let probe: Redis;
const prefixes: string[] = [];

beforeAll(async () => {
  admin = await adminClient();
  probe = new Redis(REDIS_URL);
  table = uniqueName('pg_split');
  await admin.query(`CREATE TABLE "${table}" (id bigserial PRIMARY KEY, customer text, amount int, ts bigint)`);
  // Row i: customer c<i mod 12>, amount i mod 7, event time i * 5 ms (60 s in all).
  await admin.query(
    `INSERT INTO "${table}" (customer, amount, ts) SELECT 'c' || (i % ${CUSTOMERS}), i % 7, i * 5 FROM generate_series(1, ${ROWS}) i`,
  );
});

afterAll(async () => {
  if (table) await admin.query(`DROP TABLE IF EXISTS "${table}"`);
  await admin?.end();
  for (const p of prefixes) await deletePrefixKeys(REDIS_URL, p);
  await probe?.quit();
});

function doc() {
  return compiled({
    format: 'sluice/v1',
    id: PID,
    nodes: [
      {
        id: 'orders',
        type: 'source.postgres',
        parallelism: PARTITIONS,
        config: {
          url: db.url,
          ...(db.passwordSecret ? { passwordSecret: db.passwordSecret } : {}),
          table,
          cursorColumn: 'id',
          splitBy: 'customer',
          timeField: 'ts',
          batchSize: 100,
          stopAtEnd: true,
        },
      },
      {
        id: 'win',
        type: 'window',
        config: {
          type: 'tumbling',
          size: '10s',
          keyBy: ['customer'],
          aggregates: [
            { as: 'n', op: 'count' },
            { as: 'total', op: 'sum', field: 'amount' },
          ],
        },
      },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'win' },
      { id: 'e2', source: 'win', target: 'out' },
    ],
  });
}

type Row = { customer: string; window_start: number; window_end: number; n: number; total: number };

/** The windows, from the rows' formula: row i is in window floor(i * 5 / 10,000), customer c<i mod 12>. */
function expectedWindows(): Row[] {
  const byKey = new Map<string, Row>();
  for (let i = 1; i <= ROWS; i++) {
    const start = Math.floor((i * 5) / 10_000) * 10_000;
    const customer = `c${i % CUSTOMERS}`;
    const k = `${start}/${customer}`;
    let r = byKey.get(k);
    if (!r) byKey.set(k, (r = { customer, window_start: start, window_end: start + 10_000, n: 0, total: 0 }));
    r.n++;
    r.total += i % 7;
  }
  return sorted([...byKey.values()]);
}

const sorted = (rows: Row[]) => [...rows].sort((a, b) => a.window_start - b.window_start || a.customer.localeCompare(b.customer));

function setup(name: string) {
  const prefix = `${TEST_KEY_ROOT}-pgsplit-${name}-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return { prefix, dir: tmpPgsplit(name), keys: new RedisKeys(prefix) };
}

describe('source.postgres split in 4 on BullMQ with 2 workers', () => {
  it('every window once, with the counts and sums computed from the rows', async () => {
    const { prefix, dir } = setup('run');
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const workers = spawnWorkers(2, { redisUrl: REDIS_URL, prefix });
    try {
      const handle = await runner.deploy(doc(), { baseDir: dir, batchSize: 100 });
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      expect(result.metrics.nodes.orders).toMatchObject({ out: ROWS, errors: 0 });
      const got = sorted(readJsonl(join(dir, 'out.jsonl')) as Row[]);
      const expected = expectedWindows();
      expect(expected).toHaveLength(6 * CUSTOMERS + 1); // 6 windows of 12 customers, and row 12,000 (c0, 60 s) alone in the 7th
      expect(got).toEqual(expected);
    } finally {
      await workers.stop();
      await runner.close();
    }
  }, 300_000);

  it('a worker killed with SIGKILL mid-read: the other takes its partitions over, every window once', async () => {
    const { prefix, dir, keys } = setup('kill');
    // Short source leases: the killed worker's partitions are free again within 2 s.
    process.env.SLUICE_SOURCE_LEASE_MS = '2000';
    const workers = spawnWorkers(2, { redisUrl: REDIS_URL, prefix });
    delete process.env.SLUICE_SOURCE_LEASE_MS;
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    try {
      // Batches of 10 rows: 1,200 batches, so the kill lands while the partitions are read.
      const handle = await runner.deploy(doc(), { baseDir: dir, batchSize: 10 });
      const [a, b] = workers.processes as [NonNullable<(typeof workers.processes)[0]>, NonNullable<(typeof workers.processes)[0]>];
      await waitFor(
        async () => handle.status() !== 'running' || (await eachHoldsOne(probe, keys, PID, 'orders', PARTITIONS, [a, b])),
        120_000,
        'both workers hold a partition',
      );
      await waitFor(() => handle.status() !== 'running' || (handle.metrics().nodes.orders?.out ?? 0) >= ROWS / 10, 120_000, 'a tenth read');
      const readAtKill = handle.metrics().nodes.orders?.out ?? 0;
      await kill9(a);
      expect(readAtKill, 'the kill landed before the end of the read').toBeLessThan(ROWS);
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      expect(result.metrics.nodes.orders).toMatchObject({ out: ROWS, errors: 0 });
      expect(sorted(readJsonl(join(dir, 'out.jsonl')) as Row[])).toEqual(expectedWindows());
      expect(b.exitCode).toBeNull(); // the survivor finished the run
    } finally {
      await workers.stop();
      await runner.close();
    }
  }, 300_000);
});
