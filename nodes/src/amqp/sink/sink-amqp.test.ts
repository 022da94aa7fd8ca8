import { EVENT_TIME, type Event } from '@sluice/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkOperator } from '../../sdk/operator.js';
import { recordingCollector, testContext } from '../../sdk/testing/index.js';
import { TEST_AMQP_URL, TEST_PASSWORD_SECRET, TEST_SECRETS, TestBroker } from '../amqp-test-client.js';
import { sinkAmqpDefinition } from './definition.js';
import { sinkAmqpOperator } from './operator.js';
import { compileTemplate, templateProblem } from '../../sdk/template.js';
import { ROUTING_KEY_TEMPLATE } from '../routing-key.js';

let broker: TestBroker;
const opened: SinkOperator[] = [];

beforeAll(async () => {
  broker = await TestBroker.open();
});

afterAll(async () => {
  for (const s of opened) await s.close?.();
  await broker?.close();
});

async function sink(config: Record<string, unknown>, secrets: Record<string, string> = TEST_SECRETS): Promise<SinkOperator> {
  const parsed = sinkAmqpDefinition.config.parse({ url: TEST_AMQP_URL, passwordSecret: TEST_PASSWORD_SECRET, ...config });
  const s = (await sinkAmqpOperator(testContext({ nodeId: 'alerts', config: parsed, secrets }))) as SinkOperator;
  opened.push(s);
  return s;
}

const collector = () => recordingCollector('alerts', () => false);

describe('sink.amqp', () => {
  it('publishes each event as one persistent JSON message (fields only), in order, confirmed when flush returns', async () => {
    const queue = await broker.queue('sink-default');
    const s = await sink({ routingKey: queue });
    const col = collector();
    s.process([Object.freeze({ id: 1, msg: 'hot', [EVENT_TIME]: 5 }) as Event, { id: 2, nested: { a: [1, null] } }], col, 'in');
    s.process([{ id: 3, text: 'é漢' }], col, 'in');
    await s.flush!();
    // Confirmed means queued: the messages are there as soon as flush returns.
    expect(await broker.ready(queue)).toBe(3);
    const json = { persistent: true, contentType: 'application/json', routingKey: queue };
    expect(await broker.take(queue, 3)).toEqual([
      { ...json, body: '{"id":1,"msg":"hot"}' },
      { ...json, body: '{"id":2,"nested":{"a":[1,null]}}' },
      { ...json, body: '{"id":3,"text":"é漢"}' },
    ]);
    expect(col.counters.errors).toBe(0);
  });

  it('fills {field} placeholders of the routing key from each event; an event that cannot be placed is counted as an error', async () => {
    const exchange = await broker.exchange('sink-template');
    const high = await broker.tap(exchange, 'alert.*.high');
    const all = await broker.tap(exchange, 'alert.#');
    const s = await sink({ exchange, routingKey: 'alert.{site}.{level}', persistent: false });
    const col = collector();
    s.process(
      [
        { site: 'lyon', level: 'high', n: 1 },
        { site: 'oslo', n: 2 }, // no level
        { site: 'lyon', level: 3, n: 3 },
        { site: { id: 'x' }, level: 'high', n: 4 }, // an object
        { site: '', level: 'high', n: 5 }, // empty
        { site: 'oslo', level: 'high', n: 6 },
      ],
      col,
      'in',
    );
    await s.flush!();
    expect(col.counters.errors).toBe(3);
    const msg = (routingKey: string, body: object) => ({
      routingKey,
      body: JSON.stringify(body),
      persistent: false,
      contentType: 'application/json',
    });
    expect(await broker.take(high, 2)).toEqual([
      msg('alert.lyon.high', { site: 'lyon', level: 'high', n: 1 }),
      msg('alert.oslo.high', { site: 'oslo', level: 'high', n: 6 }),
    ]);
    expect(await broker.take(all, 3)).toEqual([
      msg('alert.lyon.high', { site: 'lyon', level: 'high', n: 1 }),
      msg('alert.lyon.3', { site: 'lyon', level: 3, n: 3 }),
      msg('alert.oslo.high', { site: 'oslo', level: 'high', n: 6 }),
    ]);
    expect(await broker.ready(all)).toBe(0);
  });

  it('fails the run naming the node and the exchange when the exchange goes away', async () => {
    const exchange = await broker.exchange('sink-gone');
    const s = await sink({ exchange, routingKey: 'k' });
    await broker.channel.deleteExchange(exchange);
    s.process([{ n: 1 }], collector(), 'in');
    await expect(s.flush!()).rejects.toThrow(
      new RegExp(`^alerts: cannot publish to exchange "${exchange.replaceAll('.', '\\.')}" at .*404 \\(NOT-FOUND\\)`),
    );
    expect(() => s.process([{ n: 2 }], collector(), 'in')).toThrow(/cannot publish to exchange/);
  });

  it('fails to start naming the exchange when it does not exist', async () => {
    await expect(sink({ exchange: 'sluice-test.no-such-exchange', routingKey: 'k' })).rejects.toThrow(
      `cannot publish to exchange "sluice-test.no-such-exchange" at ${TEST_AMQP_URL}: Operation failed: ExchangeDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'sluice-test.no-such-exchange' in vhost '/'"`,
    );
  });

  it('fails to start naming the URL when the broker cannot be reached', async () => {
    await expect(sink({ url: 'amqp://guest@127.0.0.1:1', routingKey: 'q' })).rejects.toThrow(
      /^cannot connect to RabbitMQ amqp:\/\/guest@127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it('fails to start naming the secret when passwordSecret is not set', async () => {
    await expect(sink({ routingKey: 'q', passwordSecret: 'RABBIT_MISSING_PASSWORD' }, {})).rejects.toThrow(
      /secret RABBIT_MISSING_PASSWORD is not set/,
    );
  });

  it('validates: inline password in the URL, templates that cannot give a key, the default exchange without a queue', () => {
    const check = (config: Record<string, unknown>) =>
      sinkAmqpDefinition.check!(sinkAmqpDefinition.config.parse({ url: TEST_AMQP_URL, routingKey: 'k', ...config }));
    expect(check({ url: 'amqp://ops:hunter2@rabbit:5672/prod' })).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
    ]);
    expect(check({ routingKey: 'alert.{site' })).toEqual([
      { path: 'config.routingKey', message: '"{" at character 7 is not closed (write {{ for a literal brace)' },
    ]);
    expect(check({ routingKey: 'x'.repeat(256) })).toEqual([{ path: 'config.routingKey', message: 'a routing key is at most 255 bytes' }]);
    expect(check({ routingKey: '' })).toEqual([
      { path: 'config.routingKey', message: 'the default exchange routes to the queue named by the routing key: name a queue' },
    ]);
    expect(check({ exchange: 'amq.fanout', routingKey: '' })).toEqual([]);
    expect(check({ routingKey: 'alert.#.{site}' })).toEqual([]);
    const ex = sinkAmqpDefinition.config.parse(sinkAmqpDefinition.example);
    expect(sinkAmqpDefinition.check!(ex)).toEqual([]);
    expect(sinkAmqpDefinition.outputs(ex)).toEqual([]);
  });
});

describe('routing key templates', () => {
  it('uses the topic template parser, with AMQP rules for the result', () => {
    const keyOf = compileTemplate('orders.{region}.{{raw}}', ROUTING_KEY_TEMPLATE);
    expect(keyOf({ region: 'eu' })).toBe('orders.eu.{raw}');
    expect(keyOf({ region: 'a/#+' })).toBe('orders.a/#+.{raw}'); // no wildcards in a routing key to refuse
    expect(() => keyOf({})).toThrow('routing key orders.{region}.{{raw}}: field "region" is missing');
    expect(() => keyOf({ region: [1] })).toThrow('field "region" is a list, not a value');
    expect(() => keyOf({ region: 'x'.repeat(300) })).toThrow(/is longer than 255 bytes$/);
    expect(() => compileTemplate('a.{constructor}', ROUTING_KEY_TEMPLATE)({})).toThrow('field "constructor" is missing');
    expect(compileTemplate('fixed.key', ROUTING_KEY_TEMPLATE)({})).toBe('fixed.key');
    expect(templateProblem('a.{b.c}', ROUTING_KEY_TEMPLATE)).toBe(
      '{b.c} at character 3 is not a field name (letters, digits, _ and -; top-level fields only)',
    );
  });
});
