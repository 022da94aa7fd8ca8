import type { ConfigProblem } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { inlinePasswordProblems, secretName } from '../../sdk/secrets.js';
import { mqttQos, mqttUrl } from '../source/definition.js';
import { templateProblem } from '../../sdk/template.js';
import { TOPIC_TEMPLATE } from '../topic-template.js';

export const sinkMqttConfig = z.object({
  url: mqttUrl,
  topic: z
    .string()
    .min(1)
    .describe('Topic to publish to; {field} takes a top-level field of each event (alerts/{site}/{level}); {{ and }} are literal braces'),
  qos: mqttQos.default(1).describe('0: fire and forget; 1 and 2: a batch is done only when the broker acknowledged every message'),
  retain: z.boolean().default(false).describe('Ask the broker to keep the last message of each topic for new subscribers'),
  username: z.string().min(1).optional().describe('User name for the broker'),
  passwordSecret: secretName.optional(),
});

export type SinkMqttConfig = z.output<typeof sinkMqttConfig>;

export const sinkMqttDefinition = defineNode<SinkMqttConfig>({
  type: 'sink.mqtt',
  category: 'sink',
  title: 'MQTT publish',
  summary: 'Publishes each event as a JSON message to an MQTT topic.',
  docs:
    'Publishes each event (its fields, as JSON) to `topic`, which may take values from the event: ' +
    '`alerts/{site}` publishes an event with site "lyon" to alerts/lyon. An event whose field is ' +
    'missing (or empty, or holds + or #) is not published: it counts as an error of this node. ' +
    'With QoS 1 or 2 the node waits for the broker to acknowledge every message of a batch. A ' +
    'broker that cannot be reached, or that stays away for 30 s, fails the run with the URL.',
  example: { url: 'mqtt://broker:1883', topic: 'alerts/{site}', qos: 1, retain: false },
  config: sinkMqttConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [],
  check: (c) => {
    const problems: ConfigProblem[] = [...inlinePasswordProblems('url', c.url)];
    const why = templateProblem(c.topic, TOPIC_TEMPLATE);
    if (why) problems.push({ path: 'config.topic', message: why });
    return problems;
  },
  connects: true,
  envRefFields: ['url', 'username'],
});
