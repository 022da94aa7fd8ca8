/**
 * Redis Streams over a hashed key space: a producer writes each entry to stream
 * `<base>:<keyPartition(device, 4)>` (the documented key hash, @sluice/shared), and
 * source.redis-stream with parallelism 4 reads `<base>:{partition}` on BullMQ with 2
 * `sluice worker` processes. 2 s windows of counts and sums per device are compared exactly
 * with the windows computed by hand from the entries (lost 0, duplicated 0).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPartition } from '@sluice/shared';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';
import { BullmqRunner, spawnWorkers } from '@sluice/engine';
import { compiled, deletePrefixKeys, readJsonl, RedisKeys } from '@sluice/engine/testing';
import { eachHoldsOne, waitFor } from './support/split-holders.js';

const tmpRskeyed = tempFolders('sluice-rskeyed-');

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = `${TEST_KEY_ROOT}-rskeyed-${randomUUID().slice(0, 8)}`;
const BASE = `${ROOT}:readings`;
const PARTITIONS = 4;
const ENTRIES = 8_000;
const DEVICES = 16;
const PID = 'readings';
let redis: Redis;

/** Entry i: device d<i mod 16>, value i mod 9, event time i * 2 ms (16 s in all). */
const entry = (i: number) => ({ device: `d${i % DEVICES}`, value: i % 9, ts: i * 2 });

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  expect(await redis.ping()).toBe('PONG');
  const pipe = redis.pipeline();
  for (let i = 0; i < ENTRIES; i++) {
    const e = entry(i);
    pipe.xadd(`${BASE}:${keyPartition(e.device, PARTITIONS)}`, '*', 'data', JSON.stringify(e));
  }
  await pipe.exec();
});

afterAll(async () => {
  await redis?.quit();
  await deletePrefixKeys(REDIS_URL, ROOT);
});

type Row = { device: string; window_start: number; window_end: number; n: number; sum: number };

function expectedWindows(): Row[] {
  const byKey = new Map<string, Row>();
  for (let i = 0; i < ENTRIES; i++) {
    const e = entry(i);
    const start = Math.floor(e.ts / 2_000) * 2_000;
    const k = `${start}/${e.device}`;
    let r = byKey.get(k);
    if (!r) byKey.set(k, (r = { device: e.device, window_start: start, window_end: start + 2_000, n: 0, sum: 0 }));
    r.n++;
    r.sum += e.value;
  }
  return sorted([...byKey.values()]);
}

const sorted = (rows: Row[]) => [...rows].sort((a, b) => a.window_start - b.window_start || a.device.localeCompare(b.device));

describe('source.redis-stream over a hashed key space, split in 4 on BullMQ with 2 workers', () => {
  it('every window once, with the counts and sums of the entries', async () => {
    // Every stream holds entries: the 16 devices spread over the 4 partitions.
    for (let p = 0; p < PARTITIONS; p++) expect(await redis.xlen(`${BASE}:${p}`)).toBeGreaterThan(0);
    const prefix = `${ROOT}:run`;
    const dir = tmpRskeyed();
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const workers = spawnWorkers(2, { redisUrl: REDIS_URL, prefix });
    const probe = new Redis(REDIS_URL);
    try {
      const doc = compiled({
        format: 'sluice/v1',
        id: PID,
        nodes: [
          {
            id: 'in',
            type: 'source.redis-stream',
            parallelism: PARTITIONS,
            config: { url: REDIS_URL, stream: `${BASE}:{partition}`, start: 'earliest', timeField: 'ts', stopAtEnd: true },
          },
          {
            id: 'win',
            type: 'window',
            config: {
              type: 'tumbling',
              size: '2s',
              keyBy: ['device'],
              aggregates: [
                { as: 'n', op: 'count' },
                { as: 'sum', op: 'sum', field: 'value' },
              ],
            },
          },
          { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
        ],
        edges: [
          { id: 'e1', source: 'in', target: 'win' },
          { id: 'e2', source: 'win', target: 'out' },
        ],
      });
      // Batches of 20: the run lasts long enough for both workers to take partitions.
      const handle = await runner.deploy(doc, { baseDir: dir, batchSize: 20 });
      let both = false;
      await waitFor(
        async () => {
          both ||= await eachHoldsOne(probe, new RedisKeys(prefix), PID, 'in', PARTITIONS, workers.processes);
          return both || handle.status() !== 'running';
        },
        120_000,
        'both workers hold a partition, or the run ended',
      );
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
      expect(result.metrics.nodes.in).toMatchObject({ out: ENTRIES, errors: 0 });
      const expected = expectedWindows();
      expect(expected).toHaveLength(8 * DEVICES);
      expect(sorted(readJsonl(join(dir, 'out.jsonl')) as Row[])).toEqual(expected);
    } finally {
      await probe.quit();
      await workers.stop();
      await runner.close();
    }
  }, 300_000);
});
