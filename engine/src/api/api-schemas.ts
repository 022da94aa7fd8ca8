/**
 * What the API answers, as zod schemas: the OpenAPI description's components are generated from
 * them (openapi.ts), and openapi-answers.test.ts checks every route's real answers against that
 * description with an independent validator. The document itself is shared's schema (input side:
 * `edges` may be left out). Objects whose shape is a node type's or an engine's own (configs,
 * metrics, previews) are loose: their listed fields are required, others may come.
 */
import { documentSchema, ROLES } from '@sluice/shared';
import { z } from 'zod';

export const apiSchemas = z.registry<{ id: string }>();
const named = <T extends z.ZodType>(id: string, schema: T): T => {
  apiSchemas.add(schema, { id });
  return schema;
};

const int = () => z.int().min(0);
const isoTime = () => z.string().meta({ description: 'ISO-8601 time' });
const runStatus = z.enum(['starting', 'running', 'completed', 'stopped', 'failed']);
const status = z.union([runStatus, z.literal('not-deployed')]);
const engine = z.enum(['embedded', 'bullmq']);

export const PipelineDocument = named('PipelineDocument', documentSchema);

export const Diagnostic = named(
  'Diagnostic',
  z.object({
    severity: z.enum(['error', 'warning']),
    code: z.string(),
    message: z.string(),
    nodeId: z.string().optional(),
    edgeId: z.string().optional(),
    path: z.string().optional().meta({ description: 'e.g. config.size' }),
    column: z.int().optional(),
  }),
);

export const ErrorAnswer = named(
  'Error',
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string().meta({ description: 'Also the x-request-id header; the server log has the details of a 500 under it' }),
      details: z
        .array(z.looseObject({}))
        .optional()
        .meta({ description: "Diagnostics when a document is at fault; the refused changes in a business user's 403" }),
    }),
  }),
);

const diagnostics = z.array(Diagnostic);
export const StoredPipeline = named(
  'StoredPipeline',
  z.object({ id: z.string(), document: PipelineDocument, version: int(), updatedAt: isoTime(), baseDir: z.string() }),
);
export const Saved = named('Saved', z.object({ pipeline: StoredPipeline, valid: z.boolean(), diagnostics }));
export const Validation = named('Validation', z.object({ valid: z.boolean(), diagnostics }));
export const PipelineDetail = named('PipelineDetail', z.object({ pipeline: StoredPipeline, valid: z.boolean(), diagnostics, status }));
export const PipelineList = named(
  'PipelineList',
  z.object({
    pipelines: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        description: z.string().optional(),
        version: int(),
        updatedAt: isoTime(),
        nodes: int(),
        status,
      }),
    ),
  }),
);
export const Deleted = named('Deleted', z.object({ deleted: z.string() }));
export const RecordingDeleted = named('RecordingDeleted', z.object({ pipeline: z.string(), deleted: z.literal('recording') }));

const versionInfo = {
  version: int(),
  at: isoTime(),
  author: z.string(),
  action: z.string().meta({ description: 'create, import, save, deploy, rollback' }),
  note: z.string().optional(),
};
export const VersionList = named('VersionList', z.object({ current: int(), versions: z.array(z.object(versionInfo)) }));
export const Version = named('Version', z.object({ ...versionInfo, document: PipelineDocument }));
const change = z.object({ path: z.string(), from: z.unknown(), to: z.unknown() });
export const VersionDiff = named(
  'VersionDiff',
  z.object({
    from: int(),
    to: int(),
    diff: z.object({
      document: z.array(change),
      params: z.array(change),
      nodes: z.object({
        added: z.array(z.string()),
        removed: z.array(z.string()),
        changed: z.array(z.object({ id: z.string(), changes: z.array(change) })),
      }),
      edges: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
      summary: z.array(z.string()),
    }),
  }),
);

export const Deployment = named(
  'Deployment',
  z.object({
    version: int(),
    params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
    at: isoTime(),
    author: z.string(),
    ended: z.object({ at: isoTime(), status: z.literal('completed') }).optional(),
  }),
);
export const Rollback = named('Rollback', z.object({ pipeline: StoredPipeline, version: int(), deployed: z.boolean() }));
export const Metrics = named(
  'PipelineMetrics',
  z.looseObject({
    at: z.number(),
    status: runStatus,
    startedAt: z.number(),
    nodes: z.record(z.string(), z.looseObject({})),
    edges: z.record(z.string(), z.looseObject({ events: int() })),
    stages: z.record(z.string(), z.looseObject({})),
    sinks: z.record(z.string(), z.looseObject({})),
    error: z.string().optional(),
  }),
);
export const DeployAnswer = named(
  'DeployAnswer',
  z.object({
    status: runStatus,
    engine,
    deployment: Deployment.nullable(),
    redeploy: z
      .looseObject({ mode: z.enum(['hot', 'restart']) })
      .optional()
      .meta({ description: 'hot: kept, reset, added, removed nodes; restart: reason' }),
  }),
);
export const StatusAnswer = named(
  'StatusAnswer',
  z.object({ status, metrics: Metrics.optional(), error: z.string().optional(), engine, deployment: Deployment.nullable() }),
);

const auditEntry = z.object({
  at: isoTime(),
  actor: z.string(),
  role: z.string(),
  action: z.string(),
  pipelineId: z.string(),
  version: int().optional(),
  summary: z.array(z.string()),
  address: z.string(),
});
export const AuditEntries = named('AuditEntries', z.object({ entries: z.array(auditEntry) }));

export const FileInfo = named('FileInfo', z.object({ name: z.string(), size: int(), modifiedAt: isoTime() }));
export const FileList = named('FileList', z.object({ files: z.array(FileInfo), maxBytes: int() }));

export const NodeTypes = named(
  'NodeTypes',
  z.object({
    nodeTypes: z.array(
      z.looseObject({
        type: z.string(),
        category: z.enum(['source', 'transform', 'window', 'route', 'rules', 'sink']),
        title: z.string(),
        configSchema: z.looseObject({}),
        defaults: z.looseObject({}),
        connects: z.boolean(),
        envRefFields: z.array(z.string()),
        plugin: z.boolean(),
      }),
    ),
  }),
);
export const Recording = named('Recording', z.object({ events: int(), sources: z.record(z.string(), int()), capacity: int() }));
export const Preview = named(
  'Preview',
  z.looseObject({
    recording: z.looseObject({}),
    live: z.looseObject({}),
    draft: z.looseObject({}),
    diff: z.record(z.string(), z.looseObject({})),
    outcomes: z.object({ changed: int(), total: int() }),
  }),
);
const sampleOrigin = z.enum(['recording', 'pinned', 'generator', 'uploaded']);
const edgeSample = z.object({ count: int(), events: z.array(z.looseObject({})).meta({ description: 'The last events, oldest first' }) });
export const DebugRun = named(
  'DebugRun',
  z.object({
    status: z.string(),
    error: z.string().optional(),
    errors: z.record(z.string(), int()).meta({ description: 'Errors counted per node' }),
    edges: z.record(z.string(), edgeSample).meta({ description: 'Per edge: how many events crossed it and the last ones (masked)' }),
    until: z
      .object({ nodeId: z.string(), ports: z.record(z.string(), edgeSample) })
      .optional()
      .meta({ description: 'With `until`: what that node sent out of each output port (a sink: `in`, what reached it)' }),
    samples: z.record(z.string(), sampleOrigin).meta({ description: "Where each source's events came from" }),
    sources: z.record(z.string(), int()),
  }),
);
export const PinnedSamples = named(
  'PinnedSamples',
  z.object({
    limits: z.object({ events: int(), bytes: int() }),
    sources: z.record(z.string(), z.object({ count: int(), events: z.array(z.looseObject({})) })),
  }),
);
export const Pinned = named('Pinned', z.object({ node: z.string(), count: int(), events: z.array(z.looseObject({})) }));
export const Unpinned = named('Unpinned', z.object({ node: z.string(), deleted: z.literal(true) }));
const eventCounts = z.record(z.string(), int());
export const AlertStates = named(
  'AlertStates',
  z.object({
    evaluated: z.boolean().meta({ description: 'false: this server evaluates no alerts (the rules are listed as ok)' }),
    alerts: z.array(
      z.object({
        rule: z.string(),
        name: z.string(),
        node: z.string().optional(),
        edge: z.string().optional(),
        state: z.enum(['ok', 'pending', 'firing']),
        since: z.number().optional().meta({ description: 'When the condition started to hold (ms since the epoch)' }),
        value: z.number().optional().meta({ description: 'The last measured value' }),
        measuredAt: z.number().optional().meta({ description: 'When `value` was measured (ms since the epoch)' }),
      }),
    ),
  }),
);

export const TestCaseList = named(
  'TestCaseList',
  z.object({
    required: z.boolean().meta({ description: 'settings.requireTestsOnDeploy: deploys must pass these cases' }),
    cases: z.array(
      z.object({
        name: z.string(),
        description: z.string().optional(),
        params: z.record(z.string(), z.unknown()).optional(),
        inputs: eventCounts.optional().meta({ description: 'Events per source' }),
        expected: eventCounts.optional().meta({ description: 'Expected events per sink (a sink not named expects none)' }),
        invalid: z.string().optional().meta({ description: 'Why the case cannot be read (file and problem)' }),
      }),
    ),
  }),
);
export const TestCaseCreated = named(
  'TestCaseCreated',
  z.object({
    case: z.object({
      name: z.string(),
      description: z.string().optional(),
      params: z.record(z.string(), z.unknown()).optional(),
      inputs: eventCounts,
      expected: eventCounts,
    }),
  }),
);
export const TestRun = named(
  'TestRun',
  z.object({
    passed: z.boolean(),
    cases: z.array(
      z.looseObject({ name: z.string(), status: z.enum(['passed', 'failed', 'invalid']) }).meta({
        description: 'failed: sinks, differences (sink, key, kind, fields with expected and actual), diff (text); invalid: message',
      }),
    ),
  }),
);
export const CheckAnswer = named('CheckAnswer', z.object({ ok: z.boolean(), message: z.string(), ms: z.number() }));
export const Accepted = named('Accepted', z.object({ accepted: int() }));
export const Health = named('Health', z.object({ ok: z.literal(true) }));
export const Ready = named('Ready', z.object({ ready: z.literal(true), engine }));
const workerView = z.object({
  id: z.string(),
  host: z.string().nullable().meta({ description: 'null for a worker that beats without having said who it is' }),
  pid: z.int().nullable(),
  labels: z.array(z.string()).meta({ description: 'placement labels; none yet' }),
  holds: z.array(z.string()).meta({ description: 'partition queues <pipeline>.s<stage>.p<partition> where it processes a batch now' }),
  heartbeatAgeMs: int(),
  live: z.boolean().meta({ description: 'beat within the last 5 s' }),
});
export const Workers = named('Workers', z.object({ engine, workers: z.array(workerView) }));
export const Cluster = named(
  'Cluster',
  z.object({
    engine,
    self: z.string().optional().meta({ description: 'The id of the server that answered' }),
    leader: z
      .object({ id: z.string(), since: z.string(), token: z.string() })
      .optional()
      .meta({ description: 'The server holding the coordinator lease, since when, and its fencing token' }),
    leaseTtlMs: z.number().int().optional(),
    servers: z.array(
      z.object({
        id: z.string(),
        host: z.string(),
        pid: z.number().int(),
        url: z.string().optional(),
        startedAt: z.string(),
        lastBeatMs: z.number().int(),
        leader: z.boolean(),
      }),
    ),
  }),
);
export const Me = named(
  'Me',
  z.object({ name: z.string(), role: z.enum(ROLES), authenticated: z.boolean(), mode: z.enum(['local', 'tokens']) }),
);
export const Session = named('Session', z.object({ name: z.string(), role: Me.shape.role }));
export const SignedOut = named('SignedOut', z.object({ signedOut: z.literal(true) }));
export const OidcProvider = named('OidcProvider', z.object({ name: z.string(), login: z.string() }));
export const Stopped = named(
  'Stopped',
  z.object({
    status: z.union([runStatus, z.literal('not-deployed')]),
    discarded: z
      .object({ batches: z.number().int(), events: z.number().int() })
      .optional()
      .meta({ description: 'Queued batches the bounded drain of the stop left unprocessed (BullMQ)' }),
  }),
);

/** Request bodies. */
export const RollbackBody = named('RollbackBody', z.object({ version: z.int().min(1) }));
export const DeployBody = named(
  'DeployBody',
  z.object({ params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional() }),
);
export const PreviewBody = named(
  'PreviewBody',
  z.object({
    document: PipelineDocument.optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    events: z.record(z.string(), z.array(z.looseObject({}))).optional(),
    limit: z.int().min(1).optional(),
    sample: z.enum(['recording', 'pinned']).optional().meta({
      description: 'pinned: pinned samples win over the recording (default: pinned, then a generator, only where nothing is recorded)',
    }),
  }),
);
export const DebugRunBody = named(
  'DebugRunBody',
  z.object({
    document: PipelineDocument.optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    events: z.record(z.string(), z.array(z.looseObject({}))).optional(),
    limit: z.int().min(1).optional(),
    sample: z.enum(['recording', 'pinned']).optional(),
    until: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional()
      .meta({ description: 'Run only this node and what feeds it ("Run to here")' }),
  }),
);
export const PinBody = named(
  'PinBody',
  z
    .object({
      events: z.array(z.looseObject({})).optional(),
      jsonl: z.string().optional().meta({ description: 'JSON Lines, or a JSON array, as text' }),
      fromRecording: z.int().min(1).max(100).optional().meta({ description: 'Pin the last N recorded events of the source' }),
    })
    .meta({ description: 'Exactly one of events, jsonl, fromRecording; at most 100 events and 256 KiB' }),
);
export const TestCaseBody = named(
  'TestCaseBody',
  z.object({
    name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/),
    description: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    limit: z.int().min(1).optional(),
    sample: z.enum(['recording', 'pinned']).optional(),
    events: z
      .record(z.string(), z.array(z.looseObject({})))
      .optional()
      .meta({ description: 'A sample instead of the recording: { "<source id>": [event, ...] }, timed by each source timeField' }),
  }),
);
export const TestRunBody = named(
  'TestRunBody',
  z.object({ document: PipelineDocument.optional(), params: z.record(z.string(), z.unknown()).optional() }),
);
export const CheckBody = named('CheckBody', z.object({ config: z.record(z.string(), z.unknown()).optional() }));
export const SessionBody = named('SessionBody', z.object({ token: z.string() }));

const ref = (id: string) => `#/components/schemas/${id}`;

/** A registered schema's `$ref`, for the description's paths. */
export function refTo(schema: z.ZodType): { $ref: string } {
  const meta = apiSchemas.get(schema);
  if (!meta) throw new Error('an API schema used in the OpenAPI description must be registered (named)');
  return { $ref: ref(meta.id) };
}

/**
 * Every registered schema, for `components.schemas`: answers as the server sends them (output
 * side), the document as a person may write it (input side: `edges` may be left out).
 */
export function componentSchemas(): Record<string, Record<string, unknown>> {
  const gen = (io: 'input' | 'output') =>
    z.toJSONSchema(apiSchemas, { target: 'draft-2020-12', io, uri: ref, unrepresentable: 'any' }).schemas;
  const [inputs, outputs] = [gen('input'), gen('output')];
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, s] of Object.entries(outputs)) {
    const { $schema: _s, id: _id, $id: _i, ...rest } = (id === 'PipelineDocument' ? inputs[id] : s) as Record<string, unknown>;
    out[id] = rest;
  }
  return out;
}
