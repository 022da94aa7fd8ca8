/**
 * A message's payload (MQTT, AMQP) -> the record an event is made of, or the reason it cannot
 * be one. A JSON payload must be an object (the event); a text one becomes `{ payload }`. The
 * message's address (its topic, its routing key) is added as a field when asked, and always
 * rides on a bad message's error event: it says where the message came from. Pure.
 */
import type { Event } from '@sluice/shared';

/** Characters of a bad payload kept on the error port: enough to see what went wrong. */
const RAW_CHARS = 1000;

/** How a system names a message's address: the event field (`routingKey`) and in messages (`routing key`). */
export interface MessageAddress {
  field: string;
  noun: string;
}

export interface DecodeOptions {
  format: 'json' | 'text';
  /** Add the address as a field of the event. */
  includeAddress: boolean;
}

export type Decoded = { record: Record<string | symbol, unknown> } | { error: string; event: Event };

export type MessageDecoder = (address: string, payload: Buffer) => Decoded;

export function messageDecoder({ field, noun }: MessageAddress, o: DecodeOptions): MessageDecoder {
  const bad = (address: string, text: string): Event => ({
    [field]: address,
    _raw: text.length > RAW_CHARS ? text.slice(0, RAW_CHARS) : text,
  });
  return (address, payload) => {
    const text = payload.toString('utf8');
    if (o.format === 'text') return { record: o.includeAddress ? { payload: text, [field]: address } : { payload: text } };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { error: `${noun} ${address}: payload is not JSON (${(err as Error).message})`, event: bad(address, text) };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { error: `${noun} ${address}: payload is not a JSON object`, event: bad(address, text) };
    }
    const record = value as Record<string, unknown>;
    // The message's address wins over a payload field of the same name: `topic` (`routingKey`)
    // always means one thing downstream (includeAddress false keeps the payload's own field).
    if (o.includeAddress) record[field] = address;
    return { record };
  };
}
