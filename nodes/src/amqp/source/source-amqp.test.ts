import { EVENT_TIME, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SourceOperator } from '../../sdk/operator.js';
import { pollUntil, testContext } from '../../sdk/testing/index.js';
import { TEST_AMQP_URL, TEST_PASSWORD_SECRET, TEST_SECRETS, TestBroker } from '../amqp-test-client.js';
import { sourceAmqpDefinition } from './definition.js';
import { sourceAmqpOperator } from './operator.js';

let broker: TestBroker;
const opened: SourceOperator[] = [];

beforeAll(async () => {
  broker = await TestBroker.open();
});

afterAll(async () => {
  for (const s of opened) await s.close?.();
  await broker?.close();
});

async function source(config: Record<string, unknown>, secrets: Record<string, string> = TEST_SECRETS): Promise<SourceOperator> {
  const parsed = sourceAmqpDefinition.config.parse({ url: TEST_AMQP_URL, passwordSecret: TEST_PASSWORD_SECRET, ...config });
  const s = await sourceAmqpOperator(testContext({ nodeId: 'orders', config: parsed, now: () => 5000, secrets }));
  opened.push(s);
  return s;
}

/** Plain fields of events (symbol-keyed stamps left out). */
const plain = (events: readonly object[]) => events.map((e) => JSON.parse(JSON.stringify(e)));

describe('source.amqp', () => {
  it('turns JSON messages into events in queue order, stamped with the arrival time', async () => {
    const queue = await broker.queue('src-json');
    const s = await source({ queue });
    await broker.send(queue, { order: 1, sku: 'A' }, { order: 2, nested: { q: [1, 2] } }, { order: 3 });
    const { events, errors } = await pollUntil(s, 3);
    expect(plain(events)).toEqual([{ order: 1, sku: 'A' }, { order: 2, nested: { q: [1, 2] } }, { order: 3 }]);
    expect(errors).toEqual([]);
    expect(events.map((e) => [e[EVENT_TIME], e[INGEST_TIME]])).toEqual([
      [5000, 5000],
      [5000, 5000],
      [5000, 5000],
    ]);
    expect(await s.poll(100)).toEqual({ events: [], watermark: 5000, done: false });
  });

  it('reads text bodies as { payload }, with the routing key when includeRoutingKey is set', async () => {
    const exchange = await broker.exchange('src-text');
    const queue = broker.queueName('src-text');
    const s = await source({
      queue,
      declare: true,
      bindExchange: exchange,
      routingKeys: ['pump.*'],
      format: 'text',
      includeRoutingKey: true,
    });
    await broker.publish(exchange, 'pump.started', 'line 1: pump started');
    await broker.publish(exchange, 'valve.opened', 'not bound');
    await broker.publish(exchange, 'pump.stopped', '{"not":"parsed"}');
    expect(plain((await pollUntil(s, 2)).events)).toEqual([
      { payload: 'line 1: pump started', routingKey: 'pump.started' },
      { payload: '{"not":"parsed"}', routingKey: 'pump.stopped' },
    ]);
    // No wait: 'valve.opened' went out before 'pump.stopped' on one channel, so it would have come first.
    expect((await s.poll(100)).events).toEqual([]);
  });

  it('sends bodies that are not JSON objects to the error port with routing key and text, acknowledged', async () => {
    const queue = await broker.queue('src-bad');
    const s = await source({ queue });
    await broker.send(queue, 'temp=21', '[1, 2]', { ok: 1 }, 'x'.repeat(1500));
    const { events, errors } = await pollUntil(s, 4);
    expect(plain(events)).toEqual([{ ok: 1 }]);
    expect(errors.map((e) => e.event)).toEqual([
      { routingKey: queue, _raw: 'temp=21' },
      { routingKey: queue, _raw: '[1, 2]' },
      { routingKey: queue, _raw: 'x'.repeat(1000) },
    ]);
    expect(errors[0]!.error).toMatch(new RegExp(`^routing key ${queue.replaceAll('.', '\\.')}: payload is not JSON \\(`));
    expect(errors[1]!.error).toBe(`routing key ${queue}: payload is not a JSON object`);
    // Bad messages are acknowledged like the others (the error port is where they go): not redelivered.
    await s.close!();
    expect(await broker.ready(queue)).toBe(0);
  });

  it('stamps the event time from timeField, the watermark behind by maxOutOfOrderness; a missing time is an error', async () => {
    const queue = await broker.queue('src-time');
    const s = await source({ queue, timeField: 'ts', maxOutOfOrderness: '1s' });
    await broker.send(queue, { ts: 10_000, n: 1 }, { ts: '1970-01-01T00:00:12Z', n: 2 }, { ts: 10_500, n: 3 }, { n: 4 });
    const { events, errors } = await pollUntil(s, 4);
    expect(events.map((e) => [e.n, e[EVENT_TIME], e[SOURCE_WATERMARK]])).toEqual([
      [1, 10_000, undefined],
      [2, 12_000, undefined],
      [3, 10_500, 11_000],
    ]);
    expect(errors).toEqual([{ event: { n: 4 }, error: `routing key ${queue}: timeField "ts" is missing` }]);
    expect((await s.poll(10)).watermark).toBe(11_000);
  });

  it('holds at most prefetch unacknowledged messages: the rest stays in the queue until acknowledged', async () => {
    const queue = await broker.queue('src-prefetch');
    const s = await source({ queue, prefetch: 3, ackAfterCheckpoint: true });
    await broker.send(queue, ...Array.from({ length: 10 }, (_, i) => ({ i })));
    await vi.waitFor(async () => expect(await broker.ready(queue)).toBe(7), { timeout: 10_000 });
    expect((await pollUntil(s, 3)).events.map((e) => e.i)).toEqual([0, 1, 2]);
    // Nothing acknowledged yet: the broker sends nothing more (it still holds 7).
    expect((await s.poll(100)).events).toEqual([]);
    expect(await broker.ready(queue)).toBe(7);
    await s.onCheckpoint!(s.position!());
    expect((await pollUntil(s, 3)).events.map((e) => e.i)).toEqual([3, 4, 5]);
  });

  it('acknowledges on read by default: prefetch bounds only what waits for a poll', async () => {
    const queue = await broker.queue('src-onread');
    const s = await source({ queue, prefetch: 2 });
    await broker.send(queue, ...Array.from({ length: 6 }, (_, i) => ({ i })));
    await vi.waitFor(async () => expect(await broker.ready(queue)).toBe(4), { timeout: 10_000 });
    const { events } = await pollUntil(s, 6, 5000, 100);
    expect(events.map((e) => e.i)).toEqual([0, 1, 2, 3, 4, 5]);
    // Read means acknowledged: after a close, nothing comes back.
    await s.close!();
    expect(await broker.ready(queue)).toBe(0);
  });

  it('with ackAfterCheckpoint, redelivers to a new consumer what no checkpoint covered, and only that', async () => {
    const queue = await broker.queue('src-checkpoint');
    const config = { queue, ackAfterCheckpoint: true };
    const first = await source(config);
    await broker.send(queue, ...Array.from({ length: 5 }, (_, i) => ({ i })));
    expect((await pollUntil(first, 3, 5000, 3)).events.map((e) => e.i)).toEqual([0, 1, 2]);
    const checkpointed = first.position!();
    expect(checkpointed).toBe(3);
    expect((await pollUntil(first, 2, 5000, 2)).events.map((e) => e.i)).toEqual([3, 4]);
    await first.onCheckpoint!(checkpointed); // 0-2 are durable; 3 and 4 were read, never covered
    await first.close!();
    expect(await broker.ready(queue)).toBe(2);

    const second = await source(config);
    // A restart restores the old channel's position: stale, ignored; the broker redelivers.
    await second.seek!(checkpointed);
    expect((await pollUntil(second, 2)).events.map((e) => e.i)).toEqual([3, 4]);
    await second.onCheckpoint!(second.position!());
    await second.close!();
    expect(await broker.ready(queue)).toBe(0);
  });

  it('stopReading (a clean handover): hands out what was delivered, takes nothing more, and leaves nothing to requeue', async () => {
    const queue = await broker.queue('src-stop');
    const s = await source({ queue, ackAfterCheckpoint: true, prefetch: 4 });
    await broker.send(queue, ...Array.from({ length: 6 }, (_, i) => ({ i })));
    // 4 delivered (prefetch), 2 left in the queue; one read before the handover.
    await vi.waitFor(async () => expect(await broker.ready(queue)).toBe(2), { timeout: 10_000 });
    expect((await pollUntil(s, 1, 5000, 1)).events.map((e) => e.i)).toEqual([0]);
    await s.stopReading!();
    // What was delivered and not read comes out of the polls, not back through the queue.
    expect((await pollUntil(s, 3)).events.map((e) => e.i)).toEqual([1, 2, 3]);
    await s.onCheckpoint!(s.position!()); // acknowledged; the broker sends no more to a cancelled consumer
    expect((await s.poll(100)).events).toEqual([]);
    await broker.send(queue, { i: 6 });
    expect(await broker.ready(queue)).toBe(3);
    expect((await s.poll(100)).events).toEqual([]);
    await s.close!();
    // Nothing was requeued by the close: the queue holds exactly what was never delivered.
    expect((await broker.take(queue, 3)).map((m) => JSON.parse(m.body).i)).toEqual([4, 5, 6]);
    expect(await broker.ready(queue)).toBe(0);
  });

  it('declares a durable queue and binds it with several keys', async () => {
    const exchange = await broker.exchange('src-declare', 'direct');
    const queue = broker.queueName('src-declare');
    const s = await source({ queue, declare: true, bindExchange: exchange, routingKeys: ['eu', 'us'] });
    expect((await broker.channel.checkQueue(queue)).queue).toBe(queue);
    await broker.publish(exchange, 'eu', { r: 'eu' });
    await broker.publish(exchange, 'asia', { r: 'asia' });
    await broker.publish(exchange, 'us', { r: 'us' });
    expect(plain((await pollUntil(s, 2)).events)).toEqual([{ r: 'eu' }, { r: 'us' }]);
  });

  it('fails the run naming node and queue when the queue is deleted under it', async () => {
    const queue = await broker.queue('src-deleted');
    const s = await source({ queue });
    await broker.channel.deleteQueue(queue);
    // Polls return nothing until the broker's cancel has arrived.
    await vi.waitFor(
      () =>
        expect(() => s.poll(10)).toThrow(
          `orders: lost queue "${queue}" at ${TEST_AMQP_URL}: the broker cancelled the consumer (queue "${queue}" deleted?)`,
        ),
      {
        timeout: 10_000,
      },
    );
  });

  it('fails to start naming the queue when it does not exist (declare false)', async () => {
    await expect(source({ queue: 'sluice-test.no-such-queue' })).rejects.toThrow(
      `cannot find queue "sluice-test.no-such-queue" at ${TEST_AMQP_URL}: Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'sluice-test.no-such-queue' in vhost '/'"`,
    );
  });

  it('fails to start naming the URL when the broker cannot be reached, or refuses the password', async () => {
    await expect(source({ url: 'amqp://guest@127.0.0.1:1', queue: 'q' })).rejects.toThrow(
      /^cannot connect to RabbitMQ amqp:\/\/guest@127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    await expect(source({ queue: 'q' }, { [TEST_PASSWORD_SECRET]: 'wrong' })).rejects.toThrow(
      new RegExp(`^cannot connect to RabbitMQ ${TEST_AMQP_URL.replaceAll('.', '\\.')}: .*ACCESS-REFUSED`),
    );
  });

  it('fails to start naming the secret when passwordSecret is not set', async () => {
    await expect(source({ queue: 'q', passwordSecret: 'RABBIT_MISSING_PASSWORD' }, {})).rejects.toThrow(
      /secret RABBIT_MISSING_PASSWORD is not set/,
    );
  });

  it('validates: inline password, bindings without declare, keys without exchange, timeField with text', () => {
    const c = sourceAmqpDefinition.config.parse({
      url: 'amqp://ops:hunter2@rabbit:5672/prod',
      queue: 'q',
      bindExchange: 'x',
      format: 'text',
      timeField: 'ts',
    });
    expect(sourceAmqpDefinition.check!(c)).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
      {
        path: 'config.bindExchange',
        message: 'bindExchange binds the queue when the node declares it: set declare to true, or bind the queue yourself',
      },
      { path: 'config.timeField', message: 'text messages have no fields to read a time from: remove timeField or use format json' },
    ]);
    const keysOnly = sourceAmqpDefinition.config.parse({ url: TEST_AMQP_URL, queue: 'q', declare: true, routingKeys: ['a'] });
    expect(sourceAmqpDefinition.check!(keysOnly)).toEqual([
      { path: 'config.routingKeys', message: 'routingKeys are the keys of the binding to bindExchange: set bindExchange too' },
    ]);
    expect(sourceAmqpDefinition.config.safeParse({ url: 'http://rabbit', queue: 'q' }).success).toBe(false);
    expect(sourceAmqpDefinition.config.safeParse({ url: TEST_AMQP_URL, queue: 'q', prefetch: 0 }).success).toBe(false);
    const ex = sourceAmqpDefinition.config.parse(sourceAmqpDefinition.example);
    expect(sourceAmqpDefinition.check!(ex)).toEqual([]);
    expect(sourceAmqpDefinition.bounded!(ex)).toBe(false);
    expect(sourceAmqpDefinition.outputs(ex).map((p) => p.name)).toEqual(['out', 'error']);
  });
});
