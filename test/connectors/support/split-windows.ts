/**
 * For the split-broker tests (nats-split, amqp-split): orders keyed k0..k11 with event times
 * 10 ms apart, a pipeline `<source> -> 10 s tumbling window per key (count, sum) -> sink.file`,
 * the windows computed here by hand, and who holds each source partition on BullMQ.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { compiled, RedisKeys, readJsonl } from '@sluice/engine/testing';

export const KEYS = 12;
const WINDOW_MS = 10_000;

export interface Order {
  order: number;
  key: string;
  amount: number;
  ts: number;
}

/** Order i: key k(i mod 12), amount 1..7, time i * 10 ms (so 1,000 per 10 s window). */
export function orders(count: number): Order[] {
  return Array.from({ length: count }, (_, i) => ({ order: i, key: `k${i % KEYS}`, amount: (i % 7) + 1, ts: i * 10 }));
}

export interface WindowRow {
  key: string;
  window_start: number;
  window_end: number;
  n: number;
  total: number;
}

/** The windows the pipeline must write: one per key and 10 s, with its count and sum. */
export function expectedWindows(input: readonly Order[]): WindowRow[] {
  const rows = new Map<string, WindowRow>();
  for (const o of input) {
    const start = Math.floor(o.ts / WINDOW_MS) * WINDOW_MS;
    const id = `${o.key}@${start}`;
    const row = rows.get(id) ?? { key: o.key, window_start: start, window_end: start + WINDOW_MS, n: 0, total: 0 };
    row.n++;
    row.total += o.amount;
    rows.set(id, row);
  }
  return sortWindows([...rows.values()]);
}

/** The sink file's rows, in the same shape and order as expectedWindows. */
export function writtenWindows(dir: string): WindowRow[] {
  return sortWindows(
    readJsonl(join(dir, 'out.jsonl')).map((r) => {
      const w = r as unknown as WindowRow;
      return { key: w.key, window_start: w.window_start, window_end: w.window_end, n: w.n, total: w.total };
    }),
  );
}

function sortWindows(rows: WindowRow[]): WindowRow[] {
  return rows.sort((a, b) => (a.key === b.key ? a.window_start - b.window_start : a.key < b.key ? -1 : 1));
}

export const PIPELINE_ID = 'split-broker';

/** `source` (split `parallelism` ways) -> window -> sink.file out.jsonl. */
export function windowDoc(source: { type: string; config: Record<string, unknown> }, parallelism: number) {
  return compiled({
    format: 'sluice/v1',
    id: PIPELINE_ID,
    nodes: [
      { id: 'orders', ...source, parallelism },
      {
        id: 'win',
        type: 'window',
        config: {
          type: 'tumbling',
          size: '10s',
          keyBy: ['key'],
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

/** The worker process holding each partition of source `orders` now (undefined: free or ended). */
export async function holderPids(redisUrl: string, prefix: string, partitions: number): Promise<(number | undefined)[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const keys = new RedisKeys(prefix);
    const leases = await redis.mget(...Array.from({ length: partitions }, (_, p) => keys.sourceLease(PIPELINE_ID, 'orders', p)));
    const info = await redis.hgetall(keys.workerInfo);
    return leases.map((v) => {
      if (v === null || v.startsWith('done:')) return undefined;
      const worker = v.split(':')[0]!;
      return Number(JSON.parse(info[worker] ?? '{}').pid) || undefined;
    });
  } finally {
    redis.disconnect();
  }
}

/** SIGKILL and wait for the exit. */
export async function killHard(p: ChildProcess): Promise<void> {
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}
