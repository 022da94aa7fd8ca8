import type { ConfigProblem, EventSchema } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { messagePayloadFields, payloadSchema, textTimeFieldProblems } from '../../sdk/message-payload.js';
import { inlinePasswordProblems, secretName } from '../../sdk/secrets.js';
import { MQTT_URL, topicFilterProblem } from '../topics.js';

export const mqttUrl = z
  .string()
  .regex(MQTT_URL, 'an MQTT URL is mqtt://host:port (or mqtts://, ws://, wss://)')
  .describe('Broker URL, e.g. mqtt://broker:1883 (no password: use passwordSecret)');

export const mqttQos = z.union([z.literal(0), z.literal(1), z.literal(2)]);

export const sourceMqttConfig = z.object({
  url: mqttUrl,
  topics: z.array(z.string()).min(1).describe('Topic filters to subscribe to; + matches one level, # the rest (sensors/+/temp, plant/#)'),
  qos: mqttQos.default(1).describe('Subscription QoS: 0 at most once, 1 at least once, 2 exactly once between broker and this node'),
  clientId: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('MQTT client id; default a random one. Set it (with cleanSession false) to keep a session across restarts'),
  cleanSession: z
    .boolean()
    .default(true)
    .describe('false: the broker keeps the subscription and queues QoS 1/2 messages while the pipeline is down (needs clientId)'),
  username: z.string().min(1).optional().describe('User name for the broker'),
  passwordSecret: secretName.optional(),
  ...messagePayloadFields('payload', 'the arrival time'),
  maxBuffered: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(10_000)
    .describe('Messages held in memory before the node stops reading from the broker (backpressure)'),
  includeTopic: z.boolean().default(true).describe('Add the message topic to each event as the field `topic`'),
});

export type SourceMqttConfig = z.output<typeof sourceMqttConfig>;

/** What the `error` port carries: the topic and the raw payload text (first 1000 characters). */
const ERROR_SCHEMA: EventSchema = { fields: { topic: 'string', _raw: 'string', _error: 'object' }, open: true };

export const sourceMqttDefinition = defineNode<SourceMqttConfig>({
  type: 'source.mqtt',
  category: 'source',
  title: 'MQTT subscribe',
  summary: 'Messages published to MQTT topics, as they arrive.',
  docs:
    'An unbounded source: subscribes to `topics` (wildcards + and # allowed) and turns each ' +
    'message into an event: a JSON object payload (format json), or `{ payload: "<text>" }` ' +
    '(format text), with the message topic in `topic`. A payload that is not a JSON object goes ' +
    'to the `error` port with its topic and text. When `maxBuffered` messages wait, the node ' +
    'stops reading (and acknowledging) until the pipeline catches up. MQTT keeps no history: ' +
    'the node sees messages published while it is subscribed (plus, with cleanSession false, ' +
    'QoS 1/2 messages the broker queued while it was away); it cannot rewind.',
  example: {
    url: 'mqtt://broker:1883',
    topics: ['plant/+/temperature'],
    qos: 1,
    cleanSession: true,
    format: 'json',
    timeField: 'ts',
    maxOutOfOrderness: '2s',
    maxBuffered: 10_000,
    includeTopic: true,
  },
  config: sourceMqttConfig,
  inputs: [],
  outputs: () => [
    { name: 'out', label: 'Events' },
    { name: 'error', label: 'Bad messages', description: 'Payloads that are not JSON objects, or without a usable time' },
  ],
  check: (c) => {
    const problems: ConfigProblem[] = [...inlinePasswordProblems('url', c.url)];
    c.topics.forEach((t, i) => {
      const why = topicFilterProblem(t);
      if (why) problems.push({ path: `config.topics[${i}]`, message: `"${t}": ${why}` });
    });
    if (!c.cleanSession && c.clientId === undefined) {
      problems.push({ path: 'config.clientId', message: 'cleanSession false needs a fixed clientId: the broker finds the session by it' });
    }
    problems.push(...textTimeFieldProblems(c));
    return problems;
  },
  inferSchema: (c) => ({
    out: payloadSchema(c.format, c.includeTopic ? 'topic' : undefined),
    error: ERROR_SCHEMA,
  }),
  bounded: () => false,
  connects: true,
  envRefFields: ['url', 'username'],
});
