/**
 * The stream debugger's part of the OpenAPI description (docs/debugger.md): its schemas,
 * registered with the others (api-schemas.ts), and its paths, spread into openapi.ts's.
 */
import { z } from 'zod';
import { apiSchemas, DebugRunBody } from './api-schemas.js';

const named = <T extends z.ZodType>(id: string, schema: T): T => {
  apiSchemas.add(schema, { id });
  return schema;
};
const int = () => z.int().min(0);
const watermark = z.union([z.number(), z.null(), z.literal('end')]).meta({ description: 'null: none yet; "end": end of input' });
const progress = z.object({ sourceBatches: int(), sourceEvents: int(), crossings: int() });
const hits = z.record(z.string(), z.object({ hits: int(), conditionErrors: int() }));

export const DebugSessionBody = named(
  'DebugSessionBody',
  // A debug run's body (the draft, params, events or the sample to take) without `until`.
  DebugRunBody.omit({ until: true }).extend({
    breakpoints: z
      .array(z.object({ id: z.string().optional(), edge: z.string(), condition: z.string().optional() }))
      .max(50)
      .optional()
      .meta({ description: 'On an edge, optionally with a condition in the expression language on the crossing event' }),
    batchSize: z.int().min(1).max(1000).optional().meta({ description: 'Events per source batch (default 1)' }),
  }),
);

export const DebugPause = named(
  'DebugPause',
  z.object({
    seq: int(),
    reason: z.enum(['breakpoint', 'step', 'step-batch']),
    breakpoint: z.string().optional(),
    edge: z.object({ id: z.string(), source: z.string(), sourcePort: z.string(), target: z.string(), targetPort: z.string() }),
    index: int(),
    batchSize: int(),
    event: z.looseObject({}),
    eventTime: z.number().nullable(),
    sourceWatermark: z.number().optional(),
    watermarks: z.array(z.object({ stage: int(), nodes: z.array(z.string()), watermark })),
    state: z
      .looseObject({ node: z.string(), type: z.enum(['window', 'rules']) })
      .optional()
      .meta({ description: 'window: key, panes [{ start, end, count, aggregates }]; rules: row, rowConfig, outputs' }),
    stateError: z.string().optional(),
    progress,
    hits,
  }),
);

export const DebugEnd = named(
  'DebugEnd',
  z.object({
    status: z.string(),
    error: z.string().optional(),
    reason: z.enum(['stopped', 'expired', 'failed']).optional(),
    errors: z.record(z.string(), int()),
    outputs: z.record(z.string(), z.object({ count: int(), events: z.array(z.looseObject({})) })),
    progress,
    hits,
  }),
);

export const DebugSession = named(
  'DebugSession',
  z.object({
    id: z.string(),
    pipelineId: z.string(),
    status: z.enum(['ready', 'running', 'paused', 'ended']),
    createdAt: z.string(),
    events: int(),
    batchSize: int(),
    breakpoints: z.array(z.object({ id: z.string(), edge: z.string(), condition: z.string().optional() })),
    pause: DebugPause.optional(),
    end: DebugEnd.optional(),
    samples: z.record(z.string(), z.string()).optional(),
    limits: z.object({ maxSessions: int(), idleMs: int(), maxEvents: int() }).optional(),
  }),
);

export const DebugStep = named(
  'DebugStep',
  z.object({ status: z.enum(['paused', 'ended']), pause: DebugPause.optional(), end: DebugEnd.optional() }),
);

type Helpers = {
  ok: (description: string, schema: z.ZodType, status?: number) => Record<number, unknown>;
  errors: (...statuses: (400 | 404 | 409 | 413 | 422 | 429)[]) => Record<number, unknown>;
  body: (schema: z.ZodType, required?: boolean) => unknown;
  sse: (summary: string) => Record<number, unknown>;
  id: unknown;
};

const COMMANDS = {
  step: ['stepDebugSession', 'Let the paused event cross, and pause at the next edge crossing'],
  'step-batch': [
    'stepDebugBatch',
    'Run the rest of this source batch (and its watermark); pause at the next batch, or at a breakpoint before',
  ],
  'run-to-hit': ['runDebugToHit', 'Run to the next breakpoint hit, or to the end'],
  continue: ['continueDebugSession', 'Run to the end past every breakpoint'],
} as const;

export function debugPaths(h: Helpers) {
  const session = { name: 'session', in: 'path', required: true, schema: { type: 'string' } };
  const paths: Record<string, Record<string, unknown>> = {
    '/api/pipelines/{id}/debug': {
      parameters: [h.id],
      post: {
        operationId: 'openDebugSession',
        summary:
          'Open a stream debugger session on the draft (default: the saved document) over the sample events (recording, else pinned, else a generator); nothing runs until a command',
        requestBody: h.body(DebugSessionBody, false),
        responses: { ...h.ok('the session, ready', DebugSession, 201), ...h.errors(400, 404, 409, 413, 422, 429) },
      },
    },
    '/api/debug/{session}': {
      parameters: [session],
      delete: {
        operationId: 'endDebugSession',
        summary: 'End the session (its worker stops) and forget it',
        responses: { ...h.ok('the session as it ended', DebugSession), ...h.errors(404) },
      },
    },
    '/api/debug/{session}/state': {
      parameters: [session],
      get: {
        operationId: 'getDebugSession',
        summary: 'The session: status, breakpoints, and the pause (event, watermarks, keyed state) or the end',
        responses: { ...h.ok('the session', DebugSession), ...h.errors(404) },
      },
    },
    '/api/debug/{session}/events': {
      parameters: [session],
      get: {
        operationId: 'streamDebugSession',
        summary: 'Server-sent events: `state` (the session now), then `paused` (a DebugPause) per pause and `ended` (a DebugEnd) last',
        responses: { ...h.sse('an event stream'), ...h.errors(404) },
      },
    },
  };
  for (const [command, [operationId, summary]] of Object.entries(COMMANDS))
    paths[`/api/debug/{session}/${command}`] = {
      parameters: [session],
      post: {
        operationId,
        summary: `${summary}. Answers when the session pauses again or ends`,
        responses: { ...h.ok('where it paused, or the end', DebugStep), ...h.errors(404, 409) },
      },
    };
  return paths;
}
