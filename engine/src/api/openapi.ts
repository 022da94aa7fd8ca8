/**
 * The OpenAPI 3.1 description served at /api/openapi.json. The paths are written here; every
 * body and answer schema is generated from the zod schemas in api-schemas.ts (the document's
 * from shared's document schema), so a field cannot be described one way and sent another
 * without openapi-answers.test.ts, which checks real answers of every route, failing.
 * app.test.ts checks the paths name every route the app has and nothing else.
 */
import * as S from './api-schemas.js';
import { componentSchemas } from './api-schemas.js';
import { debugPaths } from './openapi-debug.js';
import { error, NO_LEADER, E, type Status, ok, errors, body, sse, param, id, nodeId, version, limit } from './openapi-parts.js';
import { serverPaths } from './openapi-server-paths.js';

const paths = {
  '/api/node-types': {
    get: {
      operationId: 'listNodeTypes',
      summary: 'Every node type, plugin types marked: category, docs, example, ports, config JSON Schema, defaults',
      parameters: [
        param(
          'plugin',
          'query',
          { type: 'boolean', default: false },
          'true: only the types loaded from plugins at start (what the editor registers)',
        ),
      ],
      responses: ok('node types', S.NodeTypes),
    },
  },
  '/api/pipelines': {
    get: { operationId: 'listPipelines', summary: 'Pipelines with name, version and status', responses: ok('list', S.PipelineList) },
    post: {
      operationId: 'createPipeline',
      summary:
        'Store a new document (a draft with errors is kept, its diagnostics returned); with ?action=import a taken id becomes the next free <id>-N instead of a 409',
      parameters: [
        param('action', 'query', { enum: ['import'] }, 'import: recorded as an import, stored under a fresh id when the id is taken'),
      ],
      requestBody: body(S.PipelineDocument),
      responses: { ...ok('stored; Location names it', S.Saved, 201), ...errors(400, 409, 413, 415, 422) },
    },
  },
  '/api/pipelines/{id}': {
    parameters: [id],
    get: {
      operationId: 'getPipeline',
      summary: 'A pipeline, its diagnostics and status',
      responses: { ...ok('pipeline', S.PipelineDetail), ...errors(400, 404) },
    },
    put: {
      operationId: 'savePipeline',
      summary: "Save a new version (with ?draft=true: an autosave, which replaces the caller's previous autosave)",
      parameters: [
        param(
          'note',
          'query',
          { type: 'string', maxLength: 500 },
          "Kept with the version (cut at 500 characters), e.g. 'raise the threshold'",
        ),
        param(
          'draft',
          'query',
          { type: 'string', enum: ['true'] },
          'An autosave: stored as action `draft`, replacing the latest version when that is a draft by the same caller and not deployed',
        ),
      ],
      requestBody: body(S.PipelineDocument),
      responses: { ...ok('saved', S.Saved), ...errors(400, 404, 413, 415, 422) },
    },
    delete: {
      operationId: 'deletePipeline',
      summary: 'Stop and delete a pipeline with its versions',
      responses: { ...ok('deleted', S.Deleted), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/export': {
    parameters: [id],
    get: {
      operationId: 'exportPipeline',
      summary:
        'The stored document as a download, for POST /api/pipelines?action=import; environment references stay references, never values',
      responses: { ...ok('the document', S.PipelineDocument), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/versions': {
    parameters: [id],
    get: {
      operationId: 'listVersions',
      summary: 'Every version: number, time, author, action, note',
      responses: { ...ok('versions', S.VersionList), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/versions/{v}': {
    parameters: [id, version('v')],
    get: {
      operationId: 'getVersion',
      summary: 'One version with its document',
      responses: { ...ok('version', S.Version), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/versions/{a}/diff/{b}': {
    parameters: [id, version('a'), version('b')],
    get: {
      operationId: 'diffVersions',
      summary: 'What changed from version a to b: params, nodes (with config paths), edges, one summary line each',
      responses: { ...ok('diff', S.VersionDiff), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/rollback': {
    parameters: [id],
    post: {
      operationId: 'rollbackPipeline',
      summary: "Store a version's document as a new version (action rollback) and redeploy it when the pipeline is deployed",
      requestBody: body(S.RollbackBody),
      responses: {
        ...ok('restored', S.Rollback),
        ...errors(400, 404, 422, 500),
        409: error(
          'tests-failed: the rollback would deploy, settings.requireTestsOnDeploy is set (in the current or the restored version) and a test case does not pass with the restored version (details: each failing case with its diff)',
        ),
      },
    },
  },
  '/api/pipelines/{id}/recording': {
    parameters: [id],
    get: {
      operationId: 'getRecording',
      summary: "What the live pipeline has recorded of its sources' events (for previews)",
      responses: { ...ok('recording', S.Recording), ...errors(400, 404) },
    },
    delete: {
      operationId: 'deleteRecording',
      summary: "Delete what the server recorded of the pipeline's sources, in memory and in Redis (docs/privacy.md)",
      responses: { ...ok('deleted', S.RecordingDeleted), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/preview': {
    parameters: [id],
    post: {
      operationId: 'previewPipeline',
      summary:
        'Run a draft (default: the stored document) and the live version on the recording (or uploaded events) with sinks captured; their outputs and differences per key',
      requestBody: body(S.PreviewBody, false),
      responses: { ...ok('preview', S.Preview), ...errors(400, 404, 409, 422) },
    },
  },
  '/api/pipelines/{id}/preview/debug': {
    parameters: [id],
    post: {
      operationId: 'debugRunPipeline',
      summary:
        'Run a draft on the sample events (recording, else pinned, else a generator) with every edge watched, for the debug panel; with `until`, only that node and what feeds it ("Run to here"). Nothing is deployed',
      requestBody: body(S.DebugRunBody, false),
      responses: { ...ok('debug run', S.DebugRun), ...errors(400, 404, 409, 422) },
    },
  },
  // The stream debugger (docs/debugger.md), described in its own module.
  ...debugPaths({ ok, errors, body, sse, id }),
  '/api/pipelines/{id}/pinned': {
    parameters: [id],
    get: {
      operationId: 'listPinnedSamples',
      summary: 'The sample events pinned on source nodes (docs/pinned-samples.md), as stored: masked',
      responses: { ...ok('pinned', S.PinnedSamples), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/pinned/{nodeId}': {
    parameters: [id, nodeId('nodeId')],
    put: {
      operationId: 'pinSample',
      summary: "Pin sample events on a source node (pasted, or the last recorded), masked by the pipeline's privacy settings",
      requestBody: body(S.PinBody),
      responses: {
        ...ok('pinned', S.Pinned),
        ...errors(400, 404),
        409: error('no-recording: fromRecording, and the source has recorded nothing'),
      },
    },
    delete: {
      operationId: 'unpinSample',
      summary: "Delete a source node's pinned sample",
      responses: { ...ok('unpinned', S.Unpinned), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/tests': {
    parameters: [id],
    get: {
      operationId: 'listTestCases',
      summary:
        "The pipeline's test cases (in <baseDir>/<id>.tests/, docs/pipeline-tests.md): events per source and expected events per sink",
      responses: { ...ok('cases', S.TestCaseList), ...errors(400, 404, 422) },
    },
    post: {
      operationId: 'createTestCase',
      summary:
        "Make a test case from the recording (per source its last `limit` events, default 1000; a source with none: its pinned sample, else a generator's own first events) or `events`, as input; what the saved document (with `params`) sends from them as the expectation",
      requestBody: body(S.TestCaseBody),
      responses: {
        ...ok('made', S.TestCaseCreated, 201),
        ...errors(400, 404),
        409: error('case-exists, or no-recording: the pipeline has recorded nothing yet'),
        422: error('invalid-document (details: every diagnostic), or run-failed'),
      },
    },
  },
  '/api/pipelines/{id}/tests/run': {
    parameters: [id],
    post: {
      operationId: 'runTestCases',
      summary:
        'Run every test case on the saved document (or a draft `document`, with `params` overrides); each case passed, failed (with its differences) or invalid',
      requestBody: body(S.TestRunBody, false),
      responses: { ...ok('results', S.TestRun), ...errors(400, 404, 422) },
    },
  },
  '/api/pipelines/{id}/alerts': {
    parameters: [id],
    get: {
      operationId: 'alertStates',
      summary:
        "The state of each of the pipeline's alert rules on this server (ok, pending or firing, with since and the last measured value; docs/alerts.md)",
      responses: { ...ok('states', S.AlertStates), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/alerts.yml': {
    parameters: [id],
    get: {
      operationId: 'prometheusAlertRules',
      summary:
        "The pipeline's alert rules (its document's `alerts` section, docs/alerts.md) as a Prometheus rule file (`promtool check rules` accepts it)",
      responses: {
        200: { description: 'a Prometheus rule file', content: { 'application/yaml': { schema: { type: 'string' } } } },
        ...errors(400, 404),
        422: error('invalid-document: the saved document does not validate'),
      },
    },
  },
  '/api/pipelines/{id}/nodes/{nodeId}/check': {
    parameters: [id, nodeId('nodeId')],
    post: {
      operationId: 'checkNodeConnection',
      summary:
        "Check a connector node's connection (its stored config, or `config` from the body): connects, looks at what the config names, closes; nothing consumed or created",
      requestBody: body(S.CheckBody, false),
      responses: { ...ok('ok false when the check found something wrong', S.CheckAnswer), ...errors(400, 404, 422) },
    },
  },
  '/api/pipelines/{id}/audit': {
    parameters: [id, limit],
    get: {
      operationId: 'listPipelineAudit',
      summary: "The pipeline's audit entries, newest first (a deleted pipeline's too)",
      responses: { ...ok('entries', S.AuditEntries), ...errors(400, 404) },
    },
  },
  '/api/audit': {
    parameters: [param('pipeline', 'query', { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }), limit],
    get: {
      operationId: 'listAudit',
      summary: 'The audit log (who, when, what, from where), newest first',
      responses: { ...ok('entries', S.AuditEntries), ...errors(400) },
    },
  },
  '/api/pipelines/{id}/validate': {
    parameters: [id],
    post: {
      operationId: 'validatePipeline',
      summary: 'Every diagnostic of the stored document, the server policy (paths, input files) included',
      responses: { ...ok('diagnostics', S.Validation), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/deploy': {
    parameters: [id],
    post: {
      operationId: 'deployPipeline',
      summary:
        'Deploy; a running pipeline gets the new version swapped in between batches (redeploy: kept/reset nodes, or restart and why); optional body { params } overrides param values',
      requestBody: body(S.DeployBody, false),
      responses: {
        ...ok('deployed', S.DeployAnswer),
        ...errors(400, 404),
        409: error(
          'tests-failed: settings.requireTestsOnDeploy is set and a test case does not pass with this change (details: each failing case with its differences and text diff; docs/pipeline-tests.md)',
        ),
        422: error(
          'invalid-document (details: every diagnostic) or input-missing (details: each node and config path whose input file does not exist)',
        ),
        500: error('start-failed: the run itself could not start'),
        503: NO_LEADER,
      },
    },
  },
  '/api/pipelines/{id}/stop': {
    parameters: [id],
    post: {
      operationId: 'stopPipeline',
      summary: 'Stop; a restart will not bring it back',
      responses: { ...ok('stopped', S.Stopped), ...errors(400, 404, 409), 503: NO_LEADER },
    },
  },
  '/api/pipelines/{id}/status': {
    parameters: [id],
    get: {
      operationId: 'getPipelineStatus',
      summary: 'Status, current metrics, engine, deployment record',
      responses: { ...ok('status', S.StatusAnswer), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/metrics': {
    parameters: [id, param('intervalMs', 'query', { type: 'integer', minimum: 100, maximum: 60000, default: 1000 })],
    get: {
      operationId: 'streamMetrics',
      summary: 'Server-sent events: `metrics` { status, metrics? } every interval; `end` { status, metrics } when a run ends',
      responses: { ...sse('event stream'), ...errors(400, 404) },
    },
  },
  '/api/pipelines/{id}/taps/{edgeId}': {
    parameters: [
      id,
      param('edgeId', 'path', { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, 'An edge id of the document (the node id rule)'),
    ],
    get: {
      operationId: 'tapEdge',
      summary:
        'Server-sent events: `events` arrays, a sample (at most 20 events/s) of the events crossing an edge; `end` when the run ends',
      responses: { ...sse('event stream'), ...errors(400, 404, 409) },
    },
  },
  '/api/ingest/{pipelineId}/{nodeId}': {
    parameters: [param('pipelineId', 'path', id.schema), nodeId('nodeId')],
    post: {
      operationId: 'ingestEvents',
      summary:
        'Events for a source.http node: a JSON object, a JSON array, or NDJSON (application/x-ndjson). A node split with parallelism places each record by its partitionBy field: 400 missing-partition-key for a record without it (nothing taken)',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: {} }, 'application/x-ndjson': { schema: { type: 'string' } } },
      },
      responses: { ...ok('accepted', S.Accepted, 202), ...errors(400, 404, 409, 413, 415, 429) },
    },
  },
  ...serverPaths,
};

/** Answers every route may give besides its own: the doors (docs/auth.md) and the error handler. */
const EVERY_ROUTE: Status[] = [401, 403, 421, 500];

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Sluice API',
    version: '1',
    description:
      'Store, validate, deploy and watch pipelines. See docs/api.md. With API tokens configured every route but the open ones needs a bearer token or the session cookie (401 without, 403 when the role may not); with none the server is local-only and needs nothing (docs/auth.md). In every mode: 421 for a Host that is not loopback or configured; 403 cross-origin for a change sent by another site or port; 415 for a body not declared application/json; 400 too-deep past 64 levels (32 for an ingested record). Every answer carries an x-request-id header, and every error body its requestId.',
  },
  servers: [{ url: '/', description: 'The server that serves this description (default http://127.0.0.1:8080)' }],
  security: [{ bearer: [] }, { session: [] }],
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'An API token (sluice token add)' },
      session: {
        type: 'apiKey',
        in: 'cookie',
        name: 'sluice_session',
        description: 'Set by POST /api/session, or by GET /api/auth/oidc/callback (OpenID Connect sign-in)',
      },
    },
    schemas: componentSchemas(),
  },
  paths: withCommonErrors(paths),
};

function withCommonErrors<T extends Record<string, Record<string, unknown>>>(p: T): T {
  for (const item of Object.values(p))
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const responses = (op as { responses: Record<string, unknown> }).responses;
      for (const s of EVERY_ROUTE) responses[s] ??= E[s];
    }
  return p;
}
