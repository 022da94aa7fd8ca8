/**
 * What message sources (MQTT, AMQP, NATS) share in their definitions: a payload is a JSON
 * object (the event) or text (`{ payload: "<text>" }`), with the message's address (topic,
 * routing key, subject) optionally added as a field. Browser-safe.
 */
import type { ConfigProblem, EventSchema } from '@sluice/shared';
import { durationSchema, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';

/**
 * The config fields every message source has: the payload's format and its event time.
 * `what`: the message's part that holds the record ("payload", "body"); `otherwise`: the event
 * time without a timeField ("the arrival time", "the read time").
 */
export function messagePayloadFields(what: string, otherwise: string) {
  return {
    format: z
      .enum(['json', 'text'])
      .default('json')
      .describe(`json: the ${what} is a JSON object (the event); text: the event is { payload: "<text>" }`),
    timeField: z
      .string()
      .min(1)
      .optional()
      .describe(`Field holding the event time (epoch ms or ISO-8601; dots for nested fields); default: ${otherwise}`),
    maxOutOfOrderness: durationSchema
      .default('0s')
      .describe('How far behind the latest event time an event may arrive and still be on time'),
  };
}

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
