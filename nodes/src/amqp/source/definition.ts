import type { ConfigProblem, EventSchema } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { messagePayloadFields, payloadSchema, textTimeFieldProblems } from '../../sdk/message-payload.js';
import { inlinePasswordProblems } from '../../sdk/secrets.js';
import { amqpPasswordSecret, amqpUrl, MAX_NAME_BYTES } from '../amqp-url.js';

export const sourceAmqpConfig = z.object({
  url: amqpUrl,
  passwordSecret: amqpPasswordSecret,
  queue: z.string().min(1).max(MAX_NAME_BYTES).describe('The queue to consume from'),
  declare: z
    .boolean()
    .default(false)
    .describe('Declare the queue (durable) if it does not exist, and bind it to bindExchange; default: the queue must exist'),
  bindExchange: z.string().min(1).max(MAX_NAME_BYTES).optional().describe('With declare: an existing exchange to bind the queue to'),
  routingKeys: z
    .array(z.string().max(MAX_NAME_BYTES))
    .optional()
    .describe('With bindExchange: the binding keys (topic exchanges: * one word, # any; default: one binding with the key "")'),
  prefetch: z
    .number()
    .int()
    .min(1)
    .max(65_535)
    .default(1000)
    .describe('Most messages the broker sends before some are acknowledged: the bound on what waits in memory (backpressure)'),
  ackAfterCheckpoint: z
    .boolean()
    .default(false)
    .describe(
      'BullMQ deployments: acknowledge a message only once a durable checkpoint covers it (no loss across a crash); default: acknowledge when read',
    ),
  ...messagePayloadFields('body', 'the arrival time'),
  includeRoutingKey: z.boolean().default(false).describe('Add the message routing key to each event as the field `routingKey`'),
});

export type SourceAmqpConfig = z.output<typeof sourceAmqpConfig>;

/** What the `error` port carries: the routing key and the raw body text (first 1000 characters). */
const ERROR_SCHEMA: EventSchema = { fields: { routingKey: 'string', _raw: 'string', _error: 'object' }, open: true };

export const sourceAmqpDefinition = defineNode<SourceAmqpConfig>({
  type: 'source.amqp',
  category: 'source',
  title: 'RabbitMQ queue',
  summary: 'Consumes the messages of a RabbitMQ (AMQP 0-9-1) queue, as they arrive.',
  docs:
    'An unbounded source: consumes `queue` and turns each message into an event: a JSON object ' +
    'body (format json), or `{ payload: "<text>" }` (format text). A body that is not a JSON ' +
    'object goes to the `error` port with its routing key and text. At most `prefetch` messages ' +
    'are unacknowledged at a time, which bounds what waits in memory. Messages are acknowledged ' +
    'when read; with `ackAfterCheckpoint` (for BullMQ deployments) only once a durable checkpoint ' +
    'covers them, so the broker redelivers what a crashed run had not checkpointed (at least ' +
    'once). `declare` creates the queue (durable) and binds it to `bindExchange`.',
  example: {
    url: 'amqp://sluice@rabbit:5672/prod',
    passwordSecret: 'RABBIT_PASSWORD',
    queue: 'orders.sluice',
    declare: true,
    bindExchange: 'orders',
    routingKeys: ['order.created.*'],
    prefetch: 1000,
    ackAfterCheckpoint: true,
    format: 'json',
    timeField: 'ts',
    maxOutOfOrderness: '2s',
    includeRoutingKey: true,
  },
  config: sourceAmqpConfig,
  split: {
    how: 'competing consumers: each partition is one consumer (its own connection and channel, prefetch each) on the same queue; the broker deals the messages among them',
    guarantee:
      'at least once, no loss: a message is acknowledged only after the checkpoint covering it committed under its lease, so a worker that dies or loses its lease never acknowledges and the broker redelivers to another consumer (a duplicate, flagged redelivered; dedupe by a deterministic id at the receiver for exact results). No order across the queue; each partition in the order the broker delivered to it',
    check: (c) =>
      c.ackAfterCheckpoint
        ? undefined
        : 'with parallelism above 1 set ackAfterCheckpoint: true (each consumer acknowledges after its checkpoint)',
  },
  inputs: [],
  outputs: () => [
    { name: 'out', label: 'Events' },
    { name: 'error', label: 'Bad messages', description: 'Bodies that are not JSON objects, or without a usable time' },
  ],
  check: (c) => {
    const problems: ConfigProblem[] = [...inlinePasswordProblems('url', c.url)];
    if (c.bindExchange !== undefined && !c.declare) {
      problems.push({
        path: 'config.bindExchange',
        message: 'bindExchange binds the queue when the node declares it: set declare to true, or bind the queue yourself',
      });
    }
    if (c.routingKeys !== undefined && c.bindExchange === undefined) {
      problems.push({
        path: 'config.routingKeys',
        message: 'routingKeys are the keys of the binding to bindExchange: set bindExchange too',
      });
    }
    problems.push(...textTimeFieldProblems(c));
    return problems;
  },
  inferSchema: (c) => ({
    out: payloadSchema(c.format, c.includeRoutingKey ? 'routingKey' : undefined),
    error: ERROR_SCHEMA,
  }),
  bounded: () => false,
  connects: true,
  envRefFields: ['url'],
});
