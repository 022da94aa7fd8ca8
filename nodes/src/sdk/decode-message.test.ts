import { describe, expect, it } from 'vitest';
import { messageDecoder } from './decode-message.js';

const MQTT = { field: 'topic', noun: 'topic' };
const AMQP = { field: 'routingKey', noun: 'routing key' };
const payload = (s: string) => Buffer.from(s, 'utf8');

describe('message payloads (MQTT topic, AMQP routing key)', () => {
  it("makes a JSON object the event, its address added as a field when asked, winning over the payload's own", () => {
    expect(messageDecoder(MQTT, { format: 'json', includeAddress: true })('plant/1', payload('{"t":1,"topic":"mine"}'))).toEqual({
      record: { t: 1, topic: 'plant/1' },
    });
    expect(messageDecoder(MQTT, { format: 'json', includeAddress: false })('plant/1', payload('{"t":1,"topic":"mine"}'))).toEqual({
      record: { t: 1, topic: 'mine' },
    });
    expect(messageDecoder(AMQP, { format: 'json', includeAddress: true })('orders.eu', payload('{"n":2}'))).toEqual({
      record: { n: 2, routingKey: 'orders.eu' },
    });
  });

  it('makes a text payload { payload }', () => {
    expect(messageDecoder(AMQP, { format: 'text', includeAddress: true })('k', payload('héllo'))).toEqual({
      record: { payload: 'héllo', routingKey: 'k' },
    });
    expect(messageDecoder(MQTT, { format: 'text', includeAddress: false })('t', payload('{"a":1}'))).toEqual({
      record: { payload: '{"a":1}' },
    });
  });

  it('turns a payload that is no JSON object into an error event naming where it came from, its text cut at 1000 characters', () => {
    const amqp = messageDecoder(AMQP, { format: 'json', includeAddress: false });
    expect(amqp('orders.eu', payload('[1,2]'))).toEqual({
      error: 'routing key orders.eu: payload is not a JSON object',
      event: { routingKey: 'orders.eu', _raw: '[1,2]' },
    });
    expect(amqp('k', payload('null'))).toMatchObject({ error: 'routing key k: payload is not a JSON object' });
    const bad = messageDecoder(MQTT, { format: 'json', includeAddress: false })('a/b', payload(`{${'x'.repeat(2000)}`));
    expect(bad).toMatchObject({ error: expect.stringMatching(/^topic a\/b: payload is not JSON \(/), event: { topic: 'a/b' } });
    expect('event' in bad && (bad.event._raw as string).length).toBe(1000);
  });
});
