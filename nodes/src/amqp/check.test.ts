/**
 * "Check connection" of source.amqp and sink.amqp against the real RabbitMQ on 127.0.0.1:5672
 * (guest/guest; AMQP_URL and AMQP_PASSWORD override). Queues and exchanges have unique names and
 * are deleted afterwards.
 */
import { createServer, type Socket } from 'node:net';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../sdk/testing/index.js';
import { sinkAmqpDefinition } from './sink/definition.js';
import { TEST_AMQP_URL, TEST_PASSWORD_SECRET, TEST_SECRETS, TestBroker, uniqueName } from './amqp-test-client.js';
import { checkAmqpSink, checkAmqpSource } from './check.js';
import { closeQuietly, connectOptions } from './connect.js';
import { sourceAmqpDefinition } from './source/definition.js';

let broker: TestBroker;

beforeAll(async () => {
  broker = await TestBroker.open();
});

afterAll(async () => {
  await broker?.close();
});

function checkSource(config: Record<string, unknown>, secrets: Record<string, string> = TEST_SECRETS, timeoutMs?: number): Promise<string> {
  const parsed = sourceAmqpDefinition.config.parse({ url: TEST_AMQP_URL, passwordSecret: TEST_PASSWORD_SECRET, ...config });
  return checkAmqpSource(testContext({ nodeId: 'orders', config: parsed, secrets }), timeoutMs);
}

function checkSink(config: Record<string, unknown>, secrets: Record<string, string> = TEST_SECRETS): Promise<string> {
  const parsed = sinkAmqpDefinition.config.parse({ url: TEST_AMQP_URL, passwordSecret: TEST_PASSWORD_SECRET, ...config });
  return checkAmqpSink(testContext({ nodeId: 'alerts', config: parsed, secrets }));
}

/** The queue as the broker sees it (the test broker's own passive declare). */
async function queueState(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
  const q = await broker.channel.checkQueue(queue);
  return { messageCount: q.messageCount, consumerCount: q.consumerCount };
}

describe('source.amqp: check connection', () => {
  it('says how many messages wait in the queue and how many consumers it has; the queue keeps them all, with no consumer after', async () => {
    const queue = await broker.queue('check-src');
    await broker.send(queue, { n: 1 }, { n: 2 }, { n: 3 });
    await expect(checkSource({ queue })).resolves.toBe(
      `connected to ${TEST_AMQP_URL}; queue "${queue}" holds 3 messages (ready), 0 consumers`,
    );
    expect(await queueState(queue)).toEqual({ messageCount: 3, consumerCount: 0 });
    expect((await broker.take(queue, 3)).map((m) => m.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('fails as the start does when the queue is missing, and declares nothing', async () => {
    const queue = uniqueName('check-missing');
    await expect(checkSource({ queue })).rejects.toThrow(
      `cannot find queue "${queue}" at ${TEST_AMQP_URL}: Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue '${queue}' in vhost '/'"`,
    );
    expect(await queueExists(queue)).toBe(false);
  });

  it('with declare, a missing queue is fine (the start declares it) and is not declared; a missing bindExchange fails', async () => {
    const queue = broker.queueName('check-declare');
    const exchange = await broker.exchange('check-bind');
    await expect(checkSource({ queue, declare: true, bindExchange: exchange, routingKeys: ['a.*'] })).resolves.toBe(
      `connected to ${TEST_AMQP_URL}; queue "${queue}" does not exist yet: the source declares it at start; exchange "${exchange}" exists to bind it to`,
    );
    expect(await queueExists(queue)).toBe(false);
    const missing = uniqueName('no-exchange');
    const existing = await broker.queue('check-declared');
    await expect(checkSource({ queue: existing, declare: true, bindExchange: missing })).rejects.toThrow(
      `cannot bind queue "${existing}" at ${TEST_AMQP_URL} to exchange "${missing}": Operation failed: ExchangeDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no exchange '${missing}' in vhost '/'"`,
    );
  });

  it('fails naming the URL when the broker cannot be reached or refuses the password, and naming a secret that is not set', async () => {
    await expect(checkSource({ url: 'amqp://guest@127.0.0.1:1', queue: 'q' })).rejects.toThrow(
      /^cannot connect to RabbitMQ amqp:\/\/guest@127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    await expect(checkSource({ queue: 'q' }, { [TEST_PASSWORD_SECRET]: 'wrong' })).rejects.toThrow(
      new RegExp(`^cannot connect to RabbitMQ ${TEST_AMQP_URL.replaceAll('.', '\\.')}: .*ACCESS-REFUSED`),
    );
    await expect(checkSource({ queue: 'q', passwordSecret: 'RABBIT_MISSING_PASSWORD' }, {})).rejects.toThrow(
      'secret RABBIT_MISSING_PASSWORD is not set',
    );
  });

  it('gives up after its time with "no answer from <url>", and closes the connection it opened', async () => {
    const sockets = new Set<Socket>();
    let accepted = 0;
    const server = createServer((s) => {
      accepted++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
      s.resume();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `amqp://guest@127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await expect(checkSource({ url, queue: 'q' }, TEST_SECRETS, 300)).rejects.toThrow(`no answer from ${url} within 0.3 s`);
      await expect.poll(() => sockets.size).toBe(0);
      expect(accepted).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('sink.amqp: check connection', () => {
  it('says the exchange exists; fails as the start does when it does not', async () => {
    const exchange = await broker.exchange('check-sink');
    await expect(checkSink({ exchange, routingKey: 'alert.{site}' })).resolves.toBe(
      `connected to ${TEST_AMQP_URL}; exchange "${exchange}" exists`,
    );
    const missing = uniqueName('no-exchange');
    await expect(checkSink({ exchange: missing, routingKey: 'k' })).rejects.toThrow(
      `cannot publish to exchange "${missing}" at ${TEST_AMQP_URL}: Operation failed: ExchangeDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no exchange '${missing}' in vhost '/'"`,
    );
  });

  it('with the default exchange and a fixed routing key, looks at that queue: there, untouched; missing, a failure', async () => {
    const queue = await broker.queue('check-default');
    await broker.send(queue, { n: 1 });
    await expect(checkSink({ routingKey: queue })).resolves.toBe(
      `connected to ${TEST_AMQP_URL}; the default exchange delivers to queue "${queue}", which holds 1 message (ready), 0 consumers`,
    );
    expect(await queueState(queue)).toEqual({ messageCount: 1, consumerCount: 0 });
    const missing = uniqueName('no-queue');
    await expect(checkSink({ routingKey: missing })).rejects.toThrow(
      `cannot find queue "${missing}" at ${TEST_AMQP_URL}: Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue '${missing}' in vhost '/'"; the default exchange delivers to the queue named by the routing key, and drops a message no queue takes`,
    );
    await expect(checkSink({ routingKey: 'alerts.{site}' })).resolves.toBe(
      `connected to ${TEST_AMQP_URL}; the default exchange delivers to the queue each event's routing key names (alerts.{site}; not checked)`,
    );
  });

  it('fails naming the URL when the broker cannot be reached', async () => {
    await expect(checkSink({ url: 'amqp://guest@127.0.0.1:1', exchange: 'x', routingKey: 'k' })).rejects.toThrow(
      /^cannot connect to RabbitMQ amqp:\/\/guest@127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });
});

/** Whether the queue exists, asked on a connection of its own (a failed passive declare closes its channel). */
async function queueExists(queue: string): Promise<boolean> {
  const conn = await connect(connectOptions({ url: TEST_AMQP_URL, password: TEST_SECRETS[TEST_PASSWORD_SECRET] }));
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    return await ch.checkQueue(queue).then(
      () => true,
      () => false,
    );
  } finally {
    await closeQuietly(conn);
  }
}
