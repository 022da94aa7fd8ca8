/**
 * An AMQP message body -> the record an event is made of, or the reason it cannot be one. Pure.
 */
import type { Event } from '@sluice/shared';

/** Characters of a bad payload kept on the error port: enough to see what went wrong. */
const RAW_CHARS = 1000;

export interface DecodeOptions {
  format: 'json' | 'text';
  includeRoutingKey: boolean;
}

export type Decoded = { record: Record<string | symbol, unknown> } | { error: string; event: Event };

export function decodeMessage(routingKey: string, body: Buffer, o: DecodeOptions): Decoded {
  const text = body.toString('utf8');
  if (o.format === 'text') return { record: o.includeRoutingKey ? { payload: text, routingKey } : { payload: text } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `routing key ${routingKey}: payload is not JSON (${(err as Error).message})`, event: badMessage(routingKey, text) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `routing key ${routingKey}: payload is not a JSON object`, event: badMessage(routingKey, text) };
  }
  const record = value as Record<string, unknown>;
  // The message's routing key wins over a payload field of the same name: `routingKey` always
  // means one thing downstream (includeRoutingKey false keeps the payload's own field).
  if (o.includeRoutingKey) record.routingKey = routingKey;
  return { record };
}

/** The error port always gets the routing key: it says where a bad message came from. */
function badMessage(routingKey: string, text: string): Event {
  return { routingKey, _raw: text.length > RAW_CHARS ? text.slice(0, RAW_CHARS) : text };
}
