import type { ConfigProblem, EventSchema } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';
import { messagePayloadFields, payloadSchema, textTimeFieldProblems } from '../../sdk/message-payload.js';
import { secretName } from '../../sdk/secrets.js';
import { PARTITION_TOKEN, splitSubjectProblem } from '../partitions.js';
import { credentialProblems, NATS_URL, natsUrlProblems, subjectFilterProblem } from '../subjects.js';

export const natsUrl = z
  .string()
  .regex(NATS_URL, 'a NATS URL is nats://host:port (or tls://host:port), one server')
  .describe('NATS server, e.g. nats://nats:4222 (no user info, no password: use username and passwordSecret or tokenSecret)');

/** The connection fields both NATS nodes share. */
export const natsConnection = {
  url: natsUrl,
  username: z.string().min(1).optional().describe('User name, with the password from passwordSecret'),
  passwordSecret: secretName.optional(),
  tokenSecret: secretName
    .optional()
    .describe('Name of a secret holding a NATS token (instead of a user and password); read from SLUICE_SECRET_<name>'),
};

/** JetStream stream names: no whitespace, dots, wildcards or path separators. */
const STREAM_NAME = /^[^\s.*>/\\]+$/;

export const sourceNatsConfig = z.object({
  ...natsConnection,
  mode: z
    .enum(['jetstream', 'core'])
    .default('jetstream')
    .describe(
      'jetstream: read a stream by sequence (replayed from the checkpoint after a restart); core: a plain subscription (no replay, at most once)',
    ),
  stream: z.string().min(1).optional().describe('With jetstream: the stream to read'),
  subject: z
    .string()
    .min(1)
    .optional()
    .describe('With jetstream: only messages on this subject (wildcards * and > allowed); default every subject of the stream'),
  subjects: z
    .array(z.string())
    .default([])
    .describe('With core: subjects to subscribe to; * matches one token, > the rest (sensors.*.temp, orders.>)'),
  start: z
    .enum(['earliest', 'latest'])
    .default('latest')
    .describe(
      'With jetstream, where a fresh deploy starts: earliest (every message the stream holds) or latest (only messages added after the start); a restart resumes from its checkpoint',
    ),
  ...messagePayloadFields('payload', 'the read time'),
  maxBuffered: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(10_000)
    .describe('Messages held in memory; jetstream stops fetching when full, core drops (and counts) what arrives'),
  includeSubject: z.boolean().default(true).describe('Add the message subject to each event as the field `subject`'),
  stopAtEnd: z
    .boolean()
    .default(false)
    .describe('With jetstream: end the source once it has read everything the stream holds (backfills, tests)'),
});

export type SourceNatsConfig = z.output<typeof sourceNatsConfig>;

/** What the `error` port carries: subject, stream sequence (jetstream) and the raw payload text. */
const ERROR_SCHEMA: EventSchema = {
  fields: { subject: 'string', seq: 'number', _raw: 'string', _dropped: 'number', _error: 'object' },
  open: true,
};

export const sourceNatsDefinition = defineNode<SourceNatsConfig>({
  type: 'source.nats',
  category: 'source',
  title: 'NATS',
  summary: 'Messages from a NATS JetStream stream (replayable) or a plain NATS subscription.',
  docs:
    'mode jetstream (default): reads `stream` in sequence order (optionally only `subject`) with an ' +
    'ephemeral ordered consumer; the position is the last stream sequence read, checkpointed with ' +
    'the pipeline, so a restart resumes right after it (no durable consumer). A fresh deploy starts ' +
    'at the `latest` message or the `earliest`; `stopAtEnd` ends the source once it has caught up. ' +
    'mode core: subscribes to `subjects` (wildcards * and >); core NATS keeps nothing, so what is ' +
    'published while the pipeline is away is lost (at most once). Each message is one event: a JSON ' +
    'object payload, or `{ payload }` with format text, plus its `subject`. A payload that is not a ' +
    'JSON object goes to the `error` port with its subject (and sequence). Credentials come from ' +
    'the secrets named in passwordSecret or tokenSecret.',
  example: {
    url: 'nats://nats:4222',
    mode: 'jetstream',
    stream: 'ORDERS',
    subject: 'orders.>',
    subjects: [],
    start: 'latest',
    format: 'json',
    timeField: 'ts',
    maxOutOfOrderness: '5s',
    maxBuffered: 10_000,
    includeSubject: true,
    stopAtEnd: false,
  },
  config: sourceNatsConfig,
  split: {
    how: `by subject partition: \`subject\` names the partitions with ${PARTITION_TOKEN} (orders.${PARTITION_TOKEN}.> makes partition p read orders.p.>, the number a subject mapping partition(N, ...) puts there); jetstream only`,
    guarantee:
      'every message of the N partition subjects once, each partition in stream-sequence order, resuming from its own checkpointed sequence; no order across partitions',
    check: (c) =>
      c.mode === 'core'
        ? 'mode core does not split (a plain subscription has no partitions and no replay): use mode jetstream'
        : splitSubjectProblem(c.subject),
  },
  inputs: [],
  outputs: () => [
    { name: 'out', label: 'Events' },
    {
      name: 'error',
      label: 'Bad messages',
      description: 'Payloads that are not JSON objects, or without a usable time; dropped core messages',
    },
  ],
  check: (c) => {
    const problems: ConfigProblem[] = [...natsUrlProblems(c.url), ...credentialProblems(c)];
    if (c.mode === 'jetstream') {
      if (c.stream === undefined) problems.push({ path: 'config.stream', message: 'mode jetstream reads a stream: name it' });
      else if (!STREAM_NAME.test(c.stream))
        problems.push({ path: 'config.stream', message: `"${c.stream}": a stream name holds no spaces, dots, *, > or slashes` });
      const why = c.subject === undefined ? undefined : subjectFilterProblem(c.subject);
      if (why) problems.push({ path: 'config.subject', message: `"${c.subject}": ${why}` });
      if (c.subjects.length > 0)
        problems.push({
          path: 'config.subjects',
          message: 'subjects is for mode core; with jetstream use stream (and subject to filter it)',
        });
    } else {
      if (c.subjects.length === 0)
        problems.push({ path: 'config.subjects', message: 'mode core subscribes to subjects: list at least one' });
      c.subjects.forEach((s, i) => {
        const why = subjectFilterProblem(s);
        if (why) problems.push({ path: `config.subjects[${i}]`, message: `"${s}": ${why}` });
      });
      for (const field of ['stream', 'subject'] as const) {
        if (c[field] !== undefined)
          problems.push({ path: `config.${field}`, message: `${field} is for mode jetstream; core subscribes to subjects` });
      }
      if (c.stopAtEnd)
        problems.push({
          path: 'config.stopAtEnd',
          message: 'a core subscription has no end (nothing is stored): stopAtEnd needs mode jetstream',
        });
    }
    problems.push(...textTimeFieldProblems(c));
    return problems;
  },
  inferSchema: (c) => ({
    out: payloadSchema(c.format, c.includeSubject ? 'subject' : undefined),
    error: ERROR_SCHEMA,
  }),
  bounded: (c) => c.mode === 'jetstream' && c.stopAtEnd,
  connects: true,
  envRefFields: ['url', 'username'],
});
