import type { ConfigProblem } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { inlinePasswordProblems } from '../../sdk/secrets.js';
import { amqpPasswordSecret, amqpUrl, MAX_NAME_BYTES } from '../amqp-url.js';
import { templateProblem } from '../../sdk/template.js';
import { ROUTING_KEY_TEMPLATE } from '../routing-key.js';

export const sinkAmqpConfig = z.object({
  url: amqpUrl,
  passwordSecret: amqpPasswordSecret,
  exchange: z
    .string()
    .max(MAX_NAME_BYTES)
    .default('')
    .describe('The exchange to publish to (it must exist); "" is the default exchange, which routes to the queue named by the routing key'),
  routingKey: z
    .string()
    .describe(
      'Routing key; {field} takes a top-level field of each event (orders.{region}); {{ and }} are literal braces. With the default exchange: the queue name',
    ),
  persistent: z.boolean().default(true).describe('Mark messages persistent: a durable queue keeps them across a broker restart'),
});

export type SinkAmqpConfig = z.output<typeof sinkAmqpConfig>;

export const sinkAmqpDefinition = defineNode<SinkAmqpConfig>({
  type: 'sink.amqp',
  category: 'sink',
  title: 'RabbitMQ publish',
  summary: 'Publishes each event as a JSON message to a RabbitMQ (AMQP 0-9-1) exchange.',
  docs:
    'Publishes each event (its fields, as JSON) to `exchange` with `routingKey`, which may take ' +
    'values from the event: `orders.{region}` publishes an event with region "eu" with the key ' +
    'orders.eu. An event whose field is missing or empty is not published: it counts as an error ' +
    'of this node. Publisher confirms: a batch is done only when the broker confirmed every ' +
    'message (at least once). The broker drops messages that no queue is bound for (AMQP ' +
    'routing). An exchange that does not exist, or a broker that cannot be reached, fails the run.',
  example: {
    url: 'amqp://sluice@rabbit:5672/prod',
    passwordSecret: 'RABBIT_PASSWORD',
    exchange: 'alerts',
    routingKey: 'alert.{site}.{level}',
    persistent: true,
  },
  config: sinkAmqpConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [],
  check: (c) => {
    const problems: ConfigProblem[] = [...inlinePasswordProblems('url', c.url)];
    const why = templateProblem(c.routingKey, ROUTING_KEY_TEMPLATE);
    if (why) problems.push({ path: 'config.routingKey', message: why });
    if (c.exchange === '' && c.routingKey === '') {
      problems.push({
        path: 'config.routingKey',
        message: 'the default exchange routes to the queue named by the routing key: name a queue',
      });
    }
    return problems;
  },
  connects: true,
  envRefFields: ['url'],
});
