/**
 * source.nats -> filter -> sink.nats through the embedded runner (and BullMQ for the resume),
 * against the real nats-server with JetStream (NATS_URL or nats://127.0.0.1:4222). Each test
 * makes its own stream (unique name), deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqRunner, compilePipeline, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { compiled, runToEnd } from '@sluice/engine/testing';
import { TEST_NATS_URL, TestNats } from '../../nodes/src/nats/nats-test-client.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmpNats = tempFolders('sluice-nats-');

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `${TEST_KEY_ROOT}:pipe-nats:${randomUUID()}`;
const dir = tmpNats();
let nats: TestNats;

beforeAll(async () => {
  nats = await TestNats.open();
});

afterAll(async () => {
  await nats?.close();
  // What the BullMQ test left in Redis (queues, checkpoints), under its own prefix.
  const redis = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  await redis.connect();
  const keys = await redis.keys(`${REDIS_PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

interface Doc {
  format: string;
  id: string;
  nodes: { id: string; type: string; config: Record<string, unknown> }[];
  edges: { id: string; source: string; target: string; sourcePort?: string }[];
}

/** Orders from `<prefix>.in.>` of the stream; big ones to `<prefix>.out.<region>`, bad ones to `<prefix>.errors`. */
function doc(stream: string, prefix: string, source: Record<string, unknown> = {}, sink: Record<string, unknown> = {}): Doc {
  return {
    format: 'sluice/v1',
    id: `nats-orders-${randomUUID()}`,
    nodes: [
      {
        id: 'orders',
        type: 'source.nats',
        config: { url: TEST_NATS_URL, stream, subject: `${prefix}.in.>`, includeSubject: false, ...source },
      },
      { id: 'big', type: 'filter', config: { expression: 'amount >= 100' } },
      { id: 'out', type: 'sink.nats', config: { url: TEST_NATS_URL, subject: `${prefix}.out.{region}`, dedupField: 'order', ...sink } },
      { id: 'bad', type: 'sink.nats', config: { url: TEST_NATS_URL, subject: `${prefix}.errors` } },
    ],
    edges: [
      { id: 'e1', source: 'orders', target: 'big' },
      { id: 'e2', source: 'big', target: 'out' },
      { id: 'e3', source: 'orders', sourcePort: 'error', target: 'bad' },
    ],
  };
}

async function written(stream: string, subjectPrefix: string): Promise<{ subject: string; record: Record<string, unknown> }[]> {
  return (await nats.messages(stream))
    .filter((m) => m.subject.startsWith(subjectPrefix))
    .map((m) => ({ subject: m.subject, record: JSON.parse(m.payload) }));
}

describe('NATS connectors in a pipeline', () => {
  it('copies the big orders of a stream to per-region subjects, bad payloads to an errors subject (bounded with stopAtEnd)', async () => {
    const { stream, prefix } = await nats.stream('pipe-bounded');
    await nats.add(`${prefix}.in.eu`, { order: 1, amount: 250, region: 'eu' });
    await nats.add(`${prefix}.in.us`, { order: 2, amount: 20, region: 'us' });
    await nats.add(`${prefix}.in.us`, 'amount=900');
    await nats.add(`${prefix}.in.us`, { order: 3, amount: 100, region: 'us' });
    const runner = new EmbeddedRunner();
    try {
      const result = await runToEnd(runner, doc(stream, prefix, { start: 'earliest', stopAtEnd: true }), { baseDir: dir, batchSize: 2 });
      expect(result.status).toBe('completed');
      expect(await written(stream, `${prefix}.out.`)).toEqual([
        { subject: `${prefix}.out.eu`, record: { order: 1, amount: 250, region: 'eu' } },
        { subject: `${prefix}.out.us`, record: { order: 3, amount: 100, region: 'us' } },
      ]);
      const bad = await written(stream, `${prefix}.errors`);
      expect(bad).toHaveLength(1);
      expect(bad[0]!.record).toMatchObject({
        subject: `${prefix}.in.us`,
        seq: 3,
        _raw: 'amount=900',
        _error: { node: 'orders', message: expect.stringContaining(`subject ${prefix}.in.us (seq 3): payload is not JSON`) },
      });
      expect(result.metrics.nodes.orders).toMatchObject({ out: 3, errors: 1 });
      expect(result.metrics.nodes.big).toMatchObject({ in: 3, out: 2 });
      expect(result.metrics.nodes.out).toMatchObject({ in: 2, errors: 0 });
    } finally {
      await runner.close();
    }
  });

  it('runs unbounded from latest: messages added while it runs come out as they come, and it stops promptly', async () => {
    const { stream, prefix } = await nats.stream('pipe-live');
    await nats.add(`${prefix}.in.eu`, { order: 0, amount: 999, region: 'eu' }); // before the deploy: skipped
    const runner = new EmbeddedRunner();
    try {
      const handle = await runner.deploy(compiled(doc(stream, prefix)), { baseDir: dir });
      for (let i = 1; i <= 5; i++) await nats.add(`${prefix}.in.eu`, { order: i, amount: i * 50, region: i % 2 ? 'eu' : 'us' });
      const deadline = Date.now() + 10_000;
      while ((await written(stream, `${prefix}.out.`)).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect((await written(stream, `${prefix}.out.`)).map((m) => [m.subject, m.record.order])).toEqual([
        [`${prefix}.out.us`, 2],
        [`${prefix}.out.eu`, 3],
        [`${prefix}.out.us`, 4],
        [`${prefix}.out.eu`, 5],
      ]);
      const t0 = Date.now();
      const result = await handle.stop();
      expect(result.status).toBe('stopped');
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(result.metrics.nodes.orders).toMatchObject({ out: 5, errors: 0 });
    } finally {
      await runner.close();
    }
  });

  it('refuses a document with credentials in a URL, naming the node and the field', () => {
    const d = doc('S', 'p');
    d.nodes[0]!.config.url = 'nats://ops:hunter2@127.0.0.1:4222';
    d.nodes[2]!.config.url = 'nats://s3cr3t-token@127.0.0.1:4222';
    const { document, diagnostics } = compilePipeline(d);
    expect(document).toBeUndefined();
    const inline = diagnostics.filter((x) => x.code === 'inline-password');
    expect(inline.map((x) => [x.nodeId, x.path, x.severity])).toEqual([
      ['orders', 'config.url', 'error'],
      ['out', 'config.url', 'error'],
    ]);
  });

  it('fails the start naming the node and the secret when a secret the config names is not set', async () => {
    const { stream, prefix } = await nats.stream('pipe-secret');
    delete process.env.SLUICE_SECRET_SLUICE_TEST_UNSET_NATS_PASSWORD;
    const runner = new EmbeddedRunner();
    try {
      await expect(
        runner.deploy(compiled(doc(stream, prefix, {}, { username: 'sluice', passwordSecret: 'SLUICE_TEST_UNSET_NATS_PASSWORD' })), {
          baseDir: dir,
        }),
      ).rejects.toThrow(
        'out: secret SLUICE_TEST_UNSET_NATS_PASSWORD is not set: set the environment variable SLUICE_SECRET_SLUICE_TEST_UNSET_NATS_PASSWORD',
      );
    } finally {
      await runner.close();
    }
  });

  it('fails the start naming the node and the URL when the server cannot be reached', async () => {
    const { stream, prefix } = await nats.stream('pipe-unreachable');
    const runner = new EmbeddedRunner();
    try {
      await expect(runner.deploy(compiled(doc(stream, prefix, { url: 'nats://127.0.0.1:1' })), { baseDir: dir })).rejects.toThrow(
        /^orders: cannot connect to NATS server nats:\/\/127\.0\.0\.1:1: .*CONNECTION_REFUSED/,
      );
    } finally {
      await runner.close();
    }
  });

  it('on BullMQ, a worker killed mid-stream and another taking the source over from the checkpointed sequence: with dedupField every order is in the output once', async () => {
    const { stream, prefix } = await nats.stream('pipe-bullmq');
    const total = 4_000;
    const js = nats.nc.jetstream();
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++)
      acks.push(
        js.publish(`${prefix}.in.eu`, new TextEncoder().encode(JSON.stringify({ order: i, amount: i % 2 === 0 ? 100 : 1, region: 'eu' }))),
      );
    await Promise.all(acks);
    const d = doc(stream, prefix, { start: 'earliest', stopAtEnd: true });
    // Short source leases: the killed worker's partition is taken over within a second or two.
    process.env.SLUICE_SOURCE_LEASE_MS = '1000';
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix: REDIS_PREFIX });
    if (!(await runner.ready())) throw new Error(`these tests need the Redis at ${REDIS} (set REDIS_URL)`);
    const first = spawnWorkers(1, { redisUrl: REDIS, prefix: REDIS_PREFIX });
    let second: ReturnType<typeof spawnWorkers> | undefined;
    try {
      const handle = await runner.deploy(compiled(d), { baseDir: dir, batchSize: 100 });
      const outCount = async () =>
        (await nats.jsm.streams.info(stream, { subjects_filter: `${prefix}.out.>` })).state.subjects?.[`${prefix}.out.eu`] ?? 0;
      const deadline = Date.now() + 120_000;
      while ((await outCount()) < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const killed = first.processes[0]!;
      const exited = new Promise((r) => killed.once('exit', r));
      killed.kill('SIGKILL');
      await exited;
      expect(await outCount()).toBeLessThan(total / 2); // killed part way
      second = spawnWorkers(1, { redisUrl: REDIS, prefix: REDIS_PREFIX });
      const result = await handle.done;
      expect(result.status, result.error).toBe('completed');
    } finally {
      delete process.env.SLUICE_SOURCE_LEASE_MS;
      await first.stop();
      await second?.stop();
      await runner.close();
    }
    // Resumed from the checkpoint; the replayed batch was published again with the same
    // Nats-Msg-Id, and the stream dropped the repeats.
    const orders = (await written(stream, `${prefix}.out.`)).map((m) => m.record.order as number);
    expect(orders).toEqual(Array.from({ length: total / 2 }, (_, i) => i * 2));
  }, 180_000);
});
