/**
 * source.amqp -> filter -> sink.amqp through the embedded runner (and once on BullMQ, where
 * acknowledgements follow the checkpoints), against the real RabbitMQ (AMQP_URL or
 * amqp://guest@127.0.0.1:5672, password AMQP_PASSWORD or guest): unbounded pipelines, stopped
 * once the expected messages came out.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretEnvVar } from '@sluice/nodes/sdk';
import { BullmqRunner, compilePipeline, EmbeddedRunner, spawnWorkers } from '@sluice/engine';
import { compiled } from '@sluice/engine/testing';
import { TEST_AMQP_URL, TEST_PASSWORD_SECRET, TEST_SECRETS, TestBroker } from '../../nodes/src/amqp/amqp-test-client.js';
import { TEST_KEY_ROOT, tempFolders } from '@sluice/nodes/testing';

const tmpAmqp = tempFolders('sluice-amqp-');

// The runners read secrets from the environment, as the server and workers do.
for (const [name, value] of Object.entries(TEST_SECRETS)) process.env[secretEnvVar(name)] = value;

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `${TEST_KEY_ROOT}:pipe-amqp:${randomUUID()}`;
const dir = tmpAmqp();
let broker: TestBroker;

beforeAll(async () => {
  broker = await TestBroker.open();
});

afterAll(async () => {
  await broker?.close();
});

const conn = { url: TEST_AMQP_URL, passwordSecret: TEST_PASSWORD_SECRET };

function pipeline(queue: string, exchange: string, source: Record<string, unknown> = {}, sink: Record<string, unknown> = {}) {
  return {
    format: 'sluice/v1',
    id: 'amqp-alerts',
    nodes: [
      { id: 'readings', type: 'source.amqp', config: { ...conn, queue, ...source } },
      { id: 'hot', type: 'filter', config: { expression: 'celsius > 30' } },
      { id: 'alerts', type: 'sink.amqp', config: { ...conn, exchange, routingKey: 'alert.{machine}', ...sink } },
    ],
    edges: [
      { id: 'e1', source: 'readings', target: 'hot' },
      { id: 'e2', source: 'hot', target: 'alerts' },
    ],
  };
}

const json = (routingKey: string, body: object) => ({
  routingKey,
  body: JSON.stringify(body),
  persistent: true,
  contentType: 'application/json',
});

describe('AMQP connectors in a pipeline', () => {
  it('reads a queue, filters and publishes with per-event routing keys; bad bodies are counted on the source', async () => {
    const queue = await broker.queue('pipe-in');
    const exchange = await broker.exchange('pipe-out');
    const out = await broker.tap(exchange, 'alert.*');
    const runner = new EmbeddedRunner();
    try {
      const handle = await runner.deploy(compiled(pipeline(queue, exchange)), { baseDir: dir, batchDelayMs: 5 });
      await broker.send(queue, { machine: 'm1', celsius: 25 }, { machine: 'm2', celsius: 41.5 }, 'celsius=99', {
        machine: 'm3',
        celsius: 33,
      });
      expect(await broker.take(out, 2, 10_000)).toEqual([
        json('alert.m2', { machine: 'm2', celsius: 41.5 }),
        json('alert.m3', { machine: 'm3', celsius: 33 }),
      ]);
      const result = await handle.stop();
      expect(result.status).toBe('stopped');
      expect(result.metrics.nodes.readings).toMatchObject({ out: 3, errors: 1 });
      expect(result.metrics.nodes.hot).toMatchObject({ in: 3, out: 2 });
      expect(result.metrics.nodes.alerts).toMatchObject({ in: 2, errors: 0 });
      // Embedded: acknowledged on read, so nothing comes back after the stop.
      expect(await broker.ready(queue)).toBe(0);
    } finally {
      await runner.close();
    }
  });

  it('on BullMQ with ackAfterCheckpoint, every message is acknowledged by the checkpoints: none comes back after the stop', async () => {
    const queue = await broker.queue('pipe-bullmq');
    const exchange = await broker.exchange('pipe-bullmq-out');
    const out = await broker.tap(exchange, 'alert.*');
    const runner = new BullmqRunner({ redisUrl: REDIS, prefix: `${PREFIX}:bullmq` });
    const redis = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 1 });
    // The source runs on a worker (it acknowledges there, after each checkpoint).
    const workers = spawnWorkers(1, { redisUrl: REDIS, prefix: `${PREFIX}:bullmq` });
    try {
      if (!(await runner.ready())) throw new Error(`these tests need the Redis at ${REDIS} (set REDIS_URL)`);
      const handle = await runner.deploy(compiled(pipeline(queue, exchange, { ackAfterCheckpoint: true, prefetch: 20 })), {
        baseDir: dir,
        batchSize: 10,
      });
      const total = 100;
      await broker.send(queue, ...Array.from({ length: total }, (_, i) => ({ machine: `m${i}`, celsius: 31 + i })));
      const seen = await broker.take(out, total, 90_000);
      expect(new Set(seen.map((m) => m.routingKey)).size).toBe(total);
      const result = await handle.stop();
      expect(result.metrics.nodes.readings).toMatchObject({ out: total, errors: 0 });
      // The stop closed the source's channel: anything unacknowledged would be back in the queue.
      expect(await broker.ready(queue)).toBe(0);
    } finally {
      await workers.stop();
      await runner.close();
      await redis.connect();
      const keys = await redis.keys(`${PREFIX}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  }, 180_000);

  it('refuses a URL with an inline password, naming the node and field', () => {
    const doc = pipeline('in', 'out', { url: 'amqp://ops:hunter2@127.0.0.1:5672' }, { url: 'amqp://ops:s3cret@127.0.0.1:5672/prod' });
    const { document, diagnostics } = compilePipeline(doc);
    expect(document).toBeUndefined();
    const inline = diagnostics.filter((d) => d.code === 'inline-password');
    expect(inline.map((d) => [d.nodeId, d.path])).toEqual([
      ['readings', 'config.url'],
      ['alerts', 'config.url'],
    ]);
  });

  it('fails the start naming the node and the secret when passwordSecret is not set', async () => {
    const queue = await broker.queue('pipe-nosecret');
    const exchange = await broker.exchange('pipe-nosecret');
    const runner = new EmbeddedRunner();
    try {
      const doc = pipeline(queue, exchange, {}, { passwordSecret: 'RABBIT_ALERTS_PASSWORD_UNSET' });
      await expect(runner.deploy(compiled(doc), { baseDir: dir })).rejects.toThrow(
        'alerts: secret RABBIT_ALERTS_PASSWORD_UNSET is not set: set the environment variable SLUICE_SECRET_RABBIT_ALERTS_PASSWORD_UNSET for the server and every worker',
      );
    } finally {
      await runner.close();
    }
  });

  it('fails the start naming the node and the URL when the broker cannot be reached', async () => {
    const runner = new EmbeddedRunner();
    try {
      const doc = pipeline('in', 'out', { url: 'amqp://guest@127.0.0.1:1' });
      await expect(runner.deploy(compiled(doc), { baseDir: dir })).rejects.toThrow(
        /^readings: cannot connect to RabbitMQ amqp:\/\/guest@127\.0\.0\.1:1: .*ECONNREFUSED/,
      );
    } finally {
      await runner.close();
    }
  });
});
