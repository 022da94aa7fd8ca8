/**
 * An MQTT message -> the record an event is made of, or the reason it cannot be one. Pure.
 */
import type { Event } from '@sluice/shared';

/** Characters of a bad payload kept on the error port: enough to see what went wrong. */
const RAW_CHARS = 1000;

export interface DecodeOptions {
  format: 'json' | 'text';
  includeTopic: boolean;
}

export type Decoded = { record: Record<string | symbol, unknown> } | { error: string; event: Event };

export function decodeMessage(topic: string, payload: Buffer, o: DecodeOptions): Decoded {
  const text = payload.toString('utf8');
  if (o.format === 'text') return { record: o.includeTopic ? { payload: text, topic } : { payload: text } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `topic ${topic}: payload is not JSON (${(err as Error).message})`, event: badMessage(topic, text) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `topic ${topic}: payload is not a JSON object`, event: badMessage(topic, text) };
  }
  const record = value as Record<string, unknown>;
  // The MQTT topic wins over a payload field of the same name: `topic` always means one thing
  // downstream (includeTopic: false keeps the payload's own field).
  if (o.includeTopic) record.topic = topic;
  return { record };
}

function badMessage(topic: string, text: string): Event {
  return { topic, _raw: text.length > RAW_CHARS ? text.slice(0, RAW_CHARS) : text };
}
