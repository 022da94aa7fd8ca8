/**
 * source.redis-stream -> filter -> sink.redis-stream through the embedded runner (and BullMQ with worker processes), against the
 * real Redis on 127.0.0.1:6379 (REDIS_URL overrides). Keys are under a random prefix, deleted
 * afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectTestRedis, releaseTestRedis, TEST_REDIS_URL } from '../../nodes/src/redis-stream/redis-test-client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqRunner, compilePipeline, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { compiled, runToEnd } from '@sluice/engine/testing';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmpRs = tempFolders('sluice-rs-');

const REDIS = TEST_REDIS_URL;
const PREFIX = `${TEST_KEY_ROOT}:pipe-rs:${randomUUID()}`;
const dir = tmpRs();
let redis: Redis;
let n = 0;

beforeAll(async () => {
  redis = await connectTestRedis();
});

afterAll(() => releaseTestRedis(redis, PREFIX));

const key = (name: string) => `${PREFIX}:${name}:${++n}`;

async function records(stream: string): Promise<Record<string, unknown>[]> {
  return (await redis.xrange(stream, '-', '+')).map(([, fields]) => JSON.parse(fields[1]!));
}

interface Doc {
  format: string;
  id: string;
  nodes: { id: string; type: string; config: Record<string, unknown> }[];
  edges: { id: string; source: string; target: string; sourcePort?: string }[];
}

function doc(o: { input: string; output: string; errors: string; source?: Record<string, unknown> }): Doc {
  return {
    format: 'sluice/v1',
    id: 'redis-orders',
    nodes: [
      { id: 'orders', type: 'source.redis-stream', config: { url: REDIS, stream: o.input, timeField: 'ts', ...o.source } },
      { id: 'big', type: 'filter', config: { expression: 'amount >= 100' } },
      { id: 'out', type: 'sink.redis-stream', config: { url: REDIS, stream: o.output } },
      { id: 'bad', type: 'sink.redis-stream', config: { url: REDIS, stream: o.errors } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'big' },
      { id: 'e2', source: 'big', target: 'out' },
      { id: 'e3', source: 'orders', sourcePort: 'error', target: 'bad' },
    ],
  };
}

describe('redis stream connectors in a pipeline', () => {
  it('copies the matching entries of a stream to another, bad entries to a third (bounded with stopAtEnd)', async () => {
    const [input, output, errors] = [key('in'), key('out'), key('errors')];
    await redis.xadd(input, '*', 'data', JSON.stringify({ order: 1, amount: 250, ts: 1_000 }));
    await redis.xadd(input, '*', 'data', JSON.stringify({ order: 2, amount: 20, ts: 2_000 }));
    const broken = (await redis.xadd(input, '*', 'data', 'not json'))!;
    await redis.xadd(input, '*', 'data', JSON.stringify({ order: 3, amount: 100, ts: 3_000 }));
    const runner = new EmbeddedRunner();
    try {
      const result = await runToEnd(runner, doc({ input, output, errors, source: { start: 'earliest', stopAtEnd: true } }), {
        baseDir: dir,
        batchSize: 2,
      });
      expect(result.status).toBe('completed');
      expect(await records(output)).toEqual([
        { order: 1, amount: 250, ts: 1_000 },
        { order: 3, amount: 100, ts: 3_000 },
      ]);
      const bad = await records(errors);
      expect(bad).toHaveLength(1);
      expect(bad[0]).toMatchObject({
        _id: broken,
        _raw: 'not json',
        _error: { node: 'orders', message: expect.stringContaining(`entry ${broken}: field "data" is not JSON`) },
      });
      expect(result.metrics.nodes.orders).toMatchObject({ out: 3, errors: 1 });
      expect(result.metrics.nodes.big).toMatchObject({ in: 3, out: 2 });
      expect(result.metrics.nodes.out).toMatchObject({ in: 2 });
      expect(await redis.xlen(input)).toBe(4); // read, never consumed or deleted
    } finally {
      await runner.close();
    }
  });

  it('runs unbounded from latest: entries added while it runs come out as they come, and it stops promptly', async () => {
    const [input, output, errors] = [key('in'), key('out'), key('errors')];
    await redis.xadd(input, '*', 'data', JSON.stringify({ order: 0, amount: 999, ts: 0 })); // before the deploy: skipped
    const runner = new EmbeddedRunner();
    try {
      const handle = await runner.deploy(compiled(doc({ input, output, errors })), { baseDir: dir });
      for (let i = 1; i <= 5; i++) await redis.xadd(input, '*', 'data', JSON.stringify({ order: i, amount: i * 50, ts: i * 1_000 }));
      const deadline = Date.now() + 10_000;
      while ((await redis.xlen(output)) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Written while running: the embedded runner flushes sinks only at the end.
      expect((await records(output)).map((r) => r.order)).toEqual([2, 3, 4, 5]);
      const t0 = Date.now();
      const result = await handle.stop();
      expect(result.status).toBe('stopped');
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(result.metrics.nodes.orders).toMatchObject({ out: 5, errors: 0 });
    } finally {
      await runner.close();
    }
  });

  it('fails the run naming the sink and the stream when Redis refuses a write', async () => {
    const [input, output, errors] = [key('in'), key('out'), key('errors')];
    const runner = new EmbeddedRunner();
    try {
      const handle = await runner.deploy(compiled(doc({ input, output, errors })), { baseDir: dir });
      await redis.set(output, 'not a stream'); // after the sink's start check
      const deadline = Date.now() + 10_000;
      for (let i = 0; handle.status() === 'running' && Date.now() < deadline; i++) {
        await redis.xadd(input, '*', 'data', JSON.stringify({ order: i, amount: 500, ts: i }));
        await new Promise((r) => setTimeout(r, 50));
      }
      const result = await handle.done;
      expect(result.status).toBe('failed');
      expect(result.error).toMatch(new RegExp(`^out: cannot write stream "${output}" at ${REDIS}: WRONGTYPE`));
    } finally {
      await runner.close();
    }
  });

  it('refuses a document with a password in a URL, naming the node and the field', () => {
    const d = doc({ input: 'in', output: 'out', errors: 'errors' });
    d.nodes[0]!.config.url = 'redis://default:hunter2@127.0.0.1:6379';
    d.nodes[2]!.config.url = 'redis://:hunter2@127.0.0.1:6379/0';
    const { document, diagnostics } = compilePipeline(d);
    expect(document).toBeUndefined();
    const inline = diagnostics.filter((x) => x.code === 'inline-password');
    expect(inline.map((x) => [x.nodeId, x.path, x.severity])).toEqual([
      ['orders', 'config.url', 'error'],
      ['out', 'config.url', 'error'],
    ]);
  });

  it('fails the start when a secret the config names is not set, naming the secret and the variable', async () => {
    const d = doc({ input: key('in'), output: key('out'), errors: key('errors') });
    d.nodes[2]!.config.passwordSecret = 'SLUICE_TEST_UNSET_REDIS_PASSWORD';
    delete process.env.SLUICE_SECRET_SLUICE_TEST_UNSET_REDIS_PASSWORD;
    const runner = new EmbeddedRunner();
    try {
      await expect(runner.deploy(compiled(d), { baseDir: dir })).rejects.toThrow(
        'out: secret SLUICE_TEST_UNSET_REDIS_PASSWORD is not set: set the environment variable SLUICE_SECRET_SLUICE_TEST_UNSET_REDIS_PASSWORD',
      );
    } finally {
      await runner.close();
    }
  });

  it('on BullMQ, a worker killed mid-stream and another that takes the source over read on from the checkpointed entry id', async () => {
    const [input, output, errors] = [key('in'), key('out'), key('errors')];
    const total = 20_000;
    for (let from = 0; from < total; from += 5_000) {
      const p = redis.pipeline();
      for (let i = from; i < from + 5_000; i++)
        p.xadd(input, '*', 'data', JSON.stringify({ order: i, amount: i % 2 === 0 ? 100 : 1, ts: i }));
      await p.exec();
    }
    const d = doc({ input, output, errors, source: { start: 'earliest', stopAtEnd: true } });
    const batchSize = 100;
    const prefix = `${PREFIX}:bullmq`;
    // Short source leases: the killed worker's partition is taken over within a second or two.
    process.env.SLUICE_SOURCE_LEASE_MS = '1000';
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix });
    if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS}`);
    const first = spawnWorkers(1, { redisUrl: REDIS, prefix });
    let second: ReturnType<typeof spawnWorkers> | undefined;
    try {
      const handle = await runner.deploy(compiled(d), { baseDir: dir, batchSize });
      const deadline = Date.now() + 120_000;
      while ((await redis.xlen(output)) < 2_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const killed = first.processes[0]!;
      const exited = new Promise((r) => killed.once('exit', r));
      killed.kill('SIGKILL');
      await exited;
      const written = await redis.xlen(output);
      expect(written).toBeLessThan(total / 2); // killed part way
      second = spawnWorkers(1, { redisUrl: REDIS, prefix });
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
    } finally {
      delete process.env.SLUICE_SOURCE_LEASE_MS;
      await first.stop();
      await second?.stop();
      await runner.close();
    }
    const orders = (await records(output)).map((r) => r.order as number);
    const expected = Array.from({ length: total / 2 }, (_, i) => i * 2);
    expect([...new Set(orders)].sort((a, b) => a - b)).toEqual(expected);
    // Resumed from the checkpoint, not from the start: at most the interrupted batch is written twice
    // (sink.redis-stream appends; its writes are not positioned).
    expect(orders.length - expected.length).toBeLessThanOrEqual(batchSize);
  }, 180_000);

  it('splits over several streams with parallelism (`{partition}` in the stream name), on both engines: every entry once', async () => {
    const base = key('split');
    const [output, errors] = [key('out'), key('errors')];
    // Partition p of 3 reads `<base>:p`: 300, 200 and 100 entries, orders numbered across them.
    const sizes = [300, 200, 100];
    let order = 0;
    for (const [p, size] of sizes.entries()) {
      const pipe = redis.pipeline();
      for (let i = 0; i < size; i++) pipe.xadd(`${base}:${p}`, '*', 'data', JSON.stringify({ order: order++, amount: 100, ts: i }));
      await pipe.exec();
    }
    const d = doc({ input: `${base}:{partition}`, output, errors, source: { start: 'earliest', stopAtEnd: true } });
    (d.nodes[0] as Record<string, unknown>).parallelism = 3;
    const prefix = `${PREFIX}:split`;
    const bullmq = new BullmqRunner({ redisUrl: REDIS, prefix });
    const workers = spawnWorkers(1, { redisUrl: REDIS, prefix });
    try {
      for (const runner of [new EmbeddedRunner(), bullmq]) {
        await redis.del(output);
        const result = await runToEnd(runner, d, { baseDir: dir });
        expect(result.status, result.error).toBe('completed');
        expect(result.metrics.nodes.orders).toMatchObject({ out: 600 });
        const got = (await records(output)).map((r) => r.order as number).sort((a, b) => a - b);
        expect(got).toEqual(Array.from({ length: 600 }, (_, i) => i));
        if (runner instanceof EmbeddedRunner) await runner.close();
      }
    } finally {
      await workers.stop();
      await bullmq.close();
    }
    // Without `{partition}` the split is refused, naming the node.
    const unsplit = doc({ input: base, output, errors });
    (unsplit.nodes[0] as Record<string, unknown>).parallelism = 2;
    const { diagnostics } = compilePipeline(unsplit);
    expect(diagnostics.map((x) => x.message)).toContain(
      'node "orders": with parallelism above 1 its stream must name the partitions with {partition} (e.g. "orders:{partition}")',
    );
  }, 60_000);
});
