/**
 * What message sources (MQTT, AMQP, NATS) share in their definitions: a payload is a JSON
 * object (the event) or text (`{ payload: "<text>" }`), with the message's address (topic,
 * routing key, subject) optionally added as a field. Browser-safe.
 */
import type { ConfigProblem, EventSchema } from '@sluice/shared';
import { UNKNOWN_SCHEMA } from '@sluice/shared';

/** Text payloads have no fields: a timeField cannot be read from them. */
export function textTimeFieldProblems(c: { format: 'json' | 'text'; timeField?: string | undefined }): ConfigProblem[] {
  if (c.format !== 'text' || c.timeField === undefined) return [];
  return [{ path: 'config.timeField', message: 'text messages have no fields to read a time from: remove timeField or use format json' }];
}

/** The `out` schema: known for text payloads (with the address field when included), open for JSON. */
export function payloadSchema(format: 'json' | 'text', addressField: string | undefined): EventSchema {
  if (format !== 'text') return UNKNOWN_SCHEMA;
  return { fields: addressField ? { payload: 'string', [addressField]: 'string' } : { payload: 'string' }, open: false };
}
