import type { ConfigProblem } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { natsConnection } from '../source/definition.js';
import { credentialProblems, natsUrlProblems } from '../subjects.js';
import { templateProblem } from '../../sdk/template.js';
import { SUBJECT_TEMPLATE } from '../subject-template.js';

export const sinkNatsConfig = z.object({
  ...natsConnection,
  subject: z
    .string()
    .min(1)
    .describe(
      'Subject to publish to; {field} takes a top-level field of each event (orders.{region}.created); {{ and }} are literal braces',
    ),
  jetstream: z
    .boolean()
    .default(true)
    .describe(
      'true: publish to the JetStream stream that takes the subject and wait for its acknowledgement; false: core NATS, fire and forget',
    ),
  dedupField: z
    .string()
    .min(1)
    .optional()
    .describe(
      'With jetstream: a field whose value becomes the message id (Nats-Msg-Id); the stream drops a repeat within its duplicate window, so a retried batch is written once',
    ),
});

export type SinkNatsConfig = z.output<typeof sinkNatsConfig>;

export const sinkNatsDefinition = defineNode<SinkNatsConfig>({
  type: 'sink.nats',
  category: 'sink',
  title: 'NATS publish',
  summary: 'Publishes each event as a JSON message to a NATS subject (JetStream by default).',
  docs:
    'Publishes each event (its fields, as JSON) to `subject`, which may take values from the ' +
    'event: `orders.{region}` publishes an event with region "eu" to orders.eu. An event whose ' +
    'field is missing (or empty, or would make an invalid subject) is not published: it counts as ' +
    'an error of this node. With jetstream (default) a batch is done only when the stream ' +
    'acknowledged every message; with `dedupField` the field value is the message id, so the ' +
    'stream stores a retried message once (within its duplicate window). A server that cannot be ' +
    'reached, or a subject no stream takes, fails the run naming the node and the subject.',
  example: { url: 'nats://nats:4222', subject: 'alerts.{site}', jetstream: true, dedupField: 'alertId' },
  config: sinkNatsConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [],
  check: (c) => {
    const problems: ConfigProblem[] = [...natsUrlProblems(c.url), ...credentialProblems(c)];
    const why = templateProblem(c.subject, SUBJECT_TEMPLATE);
    if (why) problems.push({ path: 'config.subject', message: why });
    if (!c.jetstream && c.dedupField !== undefined) {
      problems.push({
        path: 'config.dedupField',
        message: 'dedupField needs jetstream: core NATS keeps no message ids',
        severity: 'warning',
      });
    }
    return problems;
  },
  connects: true,
  envRefFields: ['url', 'username'],
});
