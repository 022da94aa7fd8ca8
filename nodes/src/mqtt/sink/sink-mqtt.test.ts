import { EVENT_TIME, type Event } from '@sluice/shared';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkOperator } from '../../sdk/operator.js';
import { recordingCollector, sleep, testContext } from '../../sdk/testing/index.js';
import { expectMessages, TEST_BROKER_URL, testClient, uniqueTopic } from '../mqtt-test-client.js';
import { sinkMqttDefinition } from './definition.js';
import { sinkMqttOperator } from './operator.js';
import { compileTemplate, parseTemplate } from '../../sdk/template.js';
import { TOPIC_TEMPLATE } from '../topic-template.js';

let subscriber: MqttClient;
const opened: SinkOperator[] = [];

beforeAll(async () => {
  subscriber = await testClient();
});

afterAll(async () => {
  for (const s of opened) await s.close?.();
  await subscriber?.endAsync();
});

async function sink(config: Record<string, unknown>, secrets?: Record<string, string>): Promise<SinkOperator> {
  const ctx = testContext({
    nodeId: 'alerts',
    config: sinkMqttDefinition.config.parse({ url: TEST_BROKER_URL, ...config }),
    ...(secrets ? { secrets } : {}),
  });
  const s = (await sinkMqttOperator(ctx)) as SinkOperator;
  opened.push(s);
  return s;
}

describe('sink.mqtt', () => {
  it('publishes each event as one JSON message (fields only), in order, acknowledged when flush returns', async () => {
    const topic = uniqueTopic('sink-fixed');
    const received = await expectMessages(subscriber, topic, 3);
    const s = await sink({ topic });
    const col = recordingCollector('alerts', () => false);
    s.process([Object.freeze({ id: 1, msg: 'hot', [EVENT_TIME]: 5 }) as Event, { id: 2, nested: { a: [1, null] } }], col, 'in');
    s.process([{ id: 3, text: 'é漢' }], col, 'in');
    await s.flush!();
    expect(await received()).toEqual([
      { topic, payload: '{"id":1,"msg":"hot"}', retain: false },
      { topic, payload: '{"id":2,"nested":{"a":[1,null]}}', retain: false },
      { topic, payload: '{"id":3,"text":"é漢"}', retain: false },
    ]);
    expect(col.counters.errors).toBe(0);
  });

  it('fills {field} placeholders from each event; an event without the field is counted as an error and not published', async () => {
    const base = uniqueTopic('sink-template');
    const received = await expectMessages(subscriber, `${base}/#`, 3);
    const s = await sink({ topic: `${base}/{site}/{level}` });
    const col = recordingCollector('alerts', () => false);
    s.process(
      [
        { site: 'lyon', level: 'high', n: 1 },
        { site: 'oslo', n: 2 }, // no level
        { site: 'lyon', level: 3, n: 3 },
        { site: 'a/#', level: 'x', n: 4 }, // would make a wildcard topic
        { site: 'oslo', level: true, n: 5 },
      ],
      col,
      'in',
    );
    await s.flush!();
    expect(await received()).toEqual([
      { topic: `${base}/lyon/high`, payload: '{"site":"lyon","level":"high","n":1}', retain: false },
      { topic: `${base}/lyon/3`, payload: '{"site":"lyon","level":3,"n":3}', retain: false },
      { topic: `${base}/oslo/true`, payload: '{"site":"oslo","level":true,"n":5}', retain: false },
    ]);
    expect(col.counters.errors).toBe(2);
    await sleep(100);
    expect(await received()).toHaveLength(3); // nothing else arrived
  });

  it('retains messages when asked: a later subscriber gets the last one', async () => {
    const topic = uniqueTopic('sink-retain');
    const s = await sink({ topic, retain: true, qos: 2 });
    const col = recordingCollector('alerts', () => false);
    s.process([{ state: 'open' }, { state: 'closed' }], col, 'in');
    await s.flush!();
    const late = await testClient();
    try {
      const received = await expectMessages(late, topic, 1);
      expect(await received()).toEqual([{ topic, payload: '{"state":"closed"}', retain: true }]);
    } finally {
      // An empty retained message deletes the broker's copy.
      await late.publishAsync(topic, '', { qos: 1, retain: true });
      await late.endAsync();
    }
  });

  it('fails to start naming the URL when the broker cannot be reached', async () => {
    await expect(sink({ url: 'mqtt://127.0.0.1:1', topic: 'x' })).rejects.toThrow(
      /^cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it('fails to start naming the secret when passwordSecret is not set', async () => {
    await expect(sink({ topic: 'x', username: 'sluice', passwordSecret: 'MQTT_MISSING_PASSWORD' })).rejects.toThrow(
      /secret MQTT_MISSING_PASSWORD is not set/,
    );
  });

  it('validates: inline password in the URL, templates that cannot give a topic', () => {
    const check = (config: Record<string, unknown>) =>
      sinkMqttDefinition.check!(sinkMqttDefinition.config.parse({ url: TEST_BROKER_URL, topic: 't', ...config }));
    expect(check({ url: 'mqtt://ops:hunter2@broker:1883' })).toEqual([
      expect.objectContaining({ path: 'config.url', code: 'inline-password' }),
    ]);
    expect(check({ topic: 'alerts/{site' })).toEqual([
      { path: 'config.topic', message: '"{" at character 8 is not closed (write {{ for a literal brace)' },
    ]);
    expect(check({ topic: 'alerts/{a.b}' })).toEqual([
      { path: 'config.topic', message: '{a.b} at character 8 is not a field name (letters, digits, _ and -; top-level fields only)' },
    ]);
    expect(check({ topic: 'alerts/+/{site}' })).toEqual([
      { path: 'config.topic', message: 'a topic to publish to holds no wildcard (+ or #)' },
    ]);
    expect(check({ topic: 'alerts/{site}' })).toEqual([]);
    const ex = sinkMqttDefinition.config.parse(sinkMqttDefinition.example);
    expect(sinkMqttDefinition.check!(ex)).toEqual([]);
    expect(sinkMqttDefinition.outputs(ex)).toEqual([]);
  });
});

describe('topic templates', () => {
  it('parses placeholders and {{ }} escapes without evaluating anything', () => {
    expect(parseTemplate('a/{site}/{{raw}}/{lvl}')).toEqual([{ text: 'a/' }, { field: 'site' }, { text: '/{raw}/' }, { field: 'lvl' }]);
    const topicOf = compileTemplate('plant/{site}/x', TOPIC_TEMPLATE);
    expect(topicOf({ site: 'lyon' })).toBe('plant/lyon/x');
    expect(() => topicOf({ site: { toString: 'x' } })).toThrow('topic plant/{site}/x: field "site" is an object, not a value');
    expect(() => topicOf({ site: '' })).toThrow('field "site" is "", which cannot be part of a topic');
    expect(() => compileTemplate('a/{constructor}', TOPIC_TEMPLATE)({})).toThrow('field "constructor" is missing');
    expect(compileTemplate('fixed/topic', TOPIC_TEMPLATE)({})).toBe('fixed/topic');
  });
});
