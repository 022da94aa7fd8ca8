import { EVENT_TIME, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SourceOperator } from '../../sdk/operator.js';
import { pollUntil, testContext } from '../../sdk/testing/index.js';
import { sourceMqttDefinition } from './definition.js';
import type { MessageBuffer } from './message-buffer.js';
import { TEST_BROKER_URL, testClient, uniqueTopic } from '../mqtt-test-client.js';
import { sourceMqttOperator } from './operator.js';

let publisher: MqttClient;
const opened: SourceOperator[] = [];

beforeAll(async () => {
  publisher = await testClient();
});

afterAll(async () => {
  for (const s of opened) await s.close?.();
  await publisher?.endAsync();
});

async function source(config: Record<string, unknown>, secrets?: Record<string, string>): Promise<SourceOperator> {
  const ctx = testContext({
    config: sourceMqttDefinition.config.parse({ url: TEST_BROKER_URL, ...config }),
    now: () => 5000,
    ...(secrets ? { secrets } : {}),
  });
  const s = await sourceMqttOperator(ctx);
  opened.push(s);
  return s;
}

async function publish(topic: string, payload: string | object, qos: 0 | 1 = 1): Promise<void> {
  await publisher.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos });
}

/** Plain fields of events (symbol-keyed stamps left out). */
const plain = (events: readonly object[]) => events.map((e) => JSON.parse(JSON.stringify(e)));

describe('source.mqtt', () => {
  it('turns JSON messages on a wildcard subscription into events with their topic, in order', async () => {
    const base = uniqueTopic('src-json');
    const s = await source({ topics: [`${base}/+/temp`, `${base}/alarm/#`] });
    await publish(`${base}/m1/temp`, { v: 21.5 });
    await publish(`${base}/m1/humidity`, { v: 40 }); // matches neither filter
    await publish(`${base}/m2/temp`, { v: 19, unit: 'C' });
    await publish(`${base}/alarm/m2/door`, { open: true });
    const { events, errors } = await pollUntil(s, 3);
    expect(plain(events)).toEqual([
      { v: 21.5, topic: `${base}/m1/temp` },
      { v: 19, unit: 'C', topic: `${base}/m2/temp` },
      { open: true, topic: `${base}/alarm/m2/door` },
    ]);
    expect(errors).toEqual([]);
    // Arrival time (the context's clock) is the event time; the watermark follows the clock.
    expect(events.map((e) => [e[EVENT_TIME], e[INGEST_TIME]])).toEqual([
      [5000, 5000],
      [5000, 5000],
      [5000, 5000],
    ]);
    // No wait: the humidity message went out before the last one read, so it would have come first.
    const idle = await s.poll(100);
    expect(idle).toEqual({ events: [], watermark: 5000, done: false });
  });

  it('reads text payloads as { payload }, and leaves the topic out when includeTopic is false', async () => {
    const topic = uniqueTopic('src-text');
    const withTopic = await source({ topics: [topic], format: 'text' });
    const without = await source({ topics: [topic], format: 'text', includeTopic: false, qos: 0 });
    await publish(topic, 'line 1: pump started');
    await publish(topic, '{"not":"parsed"}', 0);
    expect(plain((await pollUntil(withTopic, 2)).events)).toEqual([
      { payload: 'line 1: pump started', topic },
      { payload: '{"not":"parsed"}', topic },
    ]);
    expect(plain((await pollUntil(without, 2)).events)).toEqual([{ payload: 'line 1: pump started' }, { payload: '{"not":"parsed"}' }]);
  });

  it('sends payloads that are not JSON objects to the error port with the topic and text, and keeps reading', async () => {
    const topic = uniqueTopic('src-bad');
    const s = await source({ topics: [topic] });
    await publish(topic, 'temp=21');
    await publish(topic, '[1, 2]');
    await publish(topic, { ok: 1, topic: 'spoofed' }); // the MQTT topic wins
    await publish(topic, 'x'.repeat(1500));
    const { events, errors } = await pollUntil(s, 4);
    expect(plain(events)).toEqual([{ ok: 1, topic }]);
    expect(errors.map((e) => e.event)).toEqual([
      { topic, _raw: 'temp=21' },
      { topic, _raw: '[1, 2]' },
      { topic, _raw: 'x'.repeat(1000) },
    ]);
    expect(errors[0]!.error).toMatch(new RegExp(`^topic ${topic}: payload is not JSON \\(`));
    expect(errors[1]!.error).toBe(`topic ${topic}: payload is not a JSON object`);
  });

  it('stamps the event time from timeField, with the watermark behind by maxOutOfOrderness; a missing time is an error', async () => {
    const topic = uniqueTopic('src-time');
    const s = await source({ topics: [topic], timeField: 'ts', maxOutOfOrderness: '1s' });
    await publish(topic, { ts: 10_000, n: 1 });
    await publish(topic, { ts: '1970-01-01T00:00:12Z', n: 2 });
    await publish(topic, { ts: 10_500, n: 3 }); // behind the watermark (11 000): stamped as such
    await publish(topic, { n: 4 });
    const { events, errors } = await pollUntil(s, 4);
    expect(events.map((e) => [e.n, e[EVENT_TIME], e[SOURCE_WATERMARK]])).toEqual([
      [1, 10_000, undefined],
      [2, 12_000, undefined],
      [3, 10_500, 11_000],
    ]);
    expect(errors).toEqual([{ event: { n: 4, topic }, error: `topic ${topic}: timeField "ts" is missing` }]);
    expect((await s.poll(10)).watermark).toBe(11_000);
  });

  it('stops reading when maxBuffered messages wait, and loses nothing once polled', async () => {
    const topic = uniqueTopic('src-backpressure');
    const s = await source({ topics: [topic], maxBuffered: 3 });
    for (let i = 0; i < 10; i++) await publish(topic, { i });
    // At most three are buffered at any time (the client holds the rest back); none is lost.
    const batches: unknown[][] = [];
    await vi.waitFor(
      async () => {
        const b = (await s.poll(100)).events.map((e) => e.i);
        if (b.length > 0) batches.push(b);
        expect(batches.flat()).toHaveLength(10);
      },
      { timeout: 10_000, interval: 10 },
    );
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
  });

  it('closes promptly while it holds the broker back', async () => {
    const topic = uniqueTopic('src-paused-close');
    const s = await source({ topics: [topic], maxBuffered: 1 });
    for (let i = 0; i < 3; i++) await publish(topic, { i });
    // Reached into on purpose: the state under test is "the client is held back".
    const buffer = (s as unknown as { buffer: MessageBuffer }).buffer;
    await vi.waitFor(() => expect(buffer.paused).toBe(true), { timeout: 10_000 });
    // A close that waited for the held acknowledgement would never end (the test's timeout fails it).
    await expect(s.close!()).resolves.toBeUndefined();
  });

  it('with cleanSession false and a clientId, gets the QoS 1 messages published while it was stopped', async () => {
    const topic = uniqueTopic('src-session');
    const clientId = `sluice-test-${topic.slice(-12)}`;
    const config = { topics: [topic], clientId, cleanSession: false };
    const first = await source(config);
    await publish(topic, { n: 1 });
    expect(plain((await pollUntil(first, 1)).events)).toEqual([{ n: 1, topic }]);
    await first.close!();
    await publish(topic, { n: 2 });
    await publish(topic, { n: 3 });
    const second = await source(config);
    expect(plain((await pollUntil(second, 2)).events)).toEqual([
      { n: 2, topic },
      { n: 3, topic },
    ]);
    await second.close!();
    // Remove the session from the broker.
    const cleaner = await testClient({ clientId, clean: true });
    await cleaner.endAsync();
  });

  it('fails to start naming the URL when the broker cannot be reached', async () => {
    await expect(source({ url: 'mqtt://127.0.0.1:1', topics: ['x'] })).rejects.toThrow(
      /^cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it('fails to start naming the secret when passwordSecret is not set', async () => {
    await expect(source({ topics: ['x'], username: 'sluice', passwordSecret: 'MQTT_MISSING_PASSWORD' })).rejects.toThrow(
      /secret MQTT_MISSING_PASSWORD is not set/,
    );
  });

  it('validates: inline password, topic filters, a session without clientId, timeField with text', () => {
    const c = sourceMqttDefinition.config.parse({
      url: 'mqtt://ops:hunter2@broker:1883',
      topics: ['ok/+/x', 'bad/#/x', 'a+/b', ''],
      cleanSession: false,
      format: 'text',
      timeField: 'ts',
    });
    expect(sourceMqttDefinition.check!(c)).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
      { path: 'config.topics[1]', message: '"bad/#/x": # stands alone as the last level (sensors/#)' },
      { path: 'config.topics[2]', message: '"a+/b": + stands alone as a whole level (sensors/+/temp)' },
      { path: 'config.topics[3]', message: '"": a topic filter is not empty' },
      { path: 'config.clientId', message: 'cleanSession false needs a fixed clientId: the broker finds the session by it' },
      { path: 'config.timeField', message: 'text messages have no fields to read a time from: remove timeField or use format json' },
    ]);
    expect(sourceMqttDefinition.config.safeParse({ url: 'http://broker', topics: ['x'] }).success).toBe(false);
    expect(sourceMqttDefinition.config.safeParse({ url: TEST_BROKER_URL, topics: ['x'], qos: 3 }).success).toBe(false);
    const ex = sourceMqttDefinition.config.parse(sourceMqttDefinition.example);
    expect(sourceMqttDefinition.check!(ex)).toEqual([]);
    expect(sourceMqttDefinition.bounded!(ex)).toBe(false);
    expect(sourceMqttDefinition.outputs(ex).map((p) => p.name)).toEqual(['out', 'error']);
  });
});
