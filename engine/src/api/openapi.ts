/**
 * The OpenAPI 3.1 description served at /api/openapi.json. Hand-written (the routes are few);
 * app.test.ts checks that it names every route the app has and nothing else.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object = { type: 'object' }) => ({ 'application/json': { schema } });
const sse = { 'text/event-stream': { schema: { type: 'string' } } };
const error = (description: string) => ({ description, content: json(ref('Error')) });
const E = {
  400: error('Bad request: malformed JSON, nested too deep (too-deep), a number out of range (non-finite-number), an invalid id or body'),
  404: error('No such pipeline (or node, edge, version)'),
  409: error('Conflict: exists already, or not deployed'),
  413: error('The body is larger than the limit (6 MiB by default)'),
  422: error('Not a document, or invalid for deploying: details lists every diagnostic'),
  429: error('Backpressure, or too many failed sign-ins from this address: retry after Retry-After seconds'),
  415: error('unsupported-media-type: the body is not declared application/json'),
  401: error('unauthenticated: no token, or not a valid one (only when the server has API tokens)'),
  403: error('forbidden: the role may not do this; or cross-origin: another site sent a change (docs/auth.md)'),
  421: error('unknown-host: the Host is not loopback, the bound address or SLUICE_ALLOWED_HOSTS'),
  503: error('Not ready'),
};
const ok = (description: string, schema?: object) => ({ description, content: json(schema) });
const pathParam = (name: string, schema: object) => ({ name, in: 'path', required: true, schema });
const id = pathParam('id', { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });
const elementId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' };
const version = (name: string) => pathParam(name, { type: 'integer', minimum: 1 });
const documentBody = { required: true, content: json(ref('PipelineDocument')) };

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Sluice API',
    version: '1',
    description:
      'Store, validate, deploy and watch pipelines. See docs/api.md. With API tokens configured every route but the open ones needs a bearer token or the session cookie (401 without, 403 when the role may not); with none the server is local-only and needs nothing (docs/auth.md). In every mode: 421 for a Host that is not loopback or configured; 403 cross-origin for a change sent by another site or port; 415 for a body not declared application/json; 400 too-deep past 64 levels (32 for an ingested record).',
  },
  security: [{ bearer: [] }, { session: [] }],
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'An API token (sluice token add)' },
      session: { type: 'apiKey', in: 'cookie', name: 'sluice_session', description: 'Set by POST /api/session' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: ref('Diagnostic') } },
          },
        },
      },
      Diagnostic: {
        type: 'object',
        required: ['severity', 'code', 'message'],
        properties: {
          severity: { enum: ['error', 'warning'] },
          code: { type: 'string' },
          message: { type: 'string' },
          nodeId: { type: 'string' },
          edgeId: { type: 'string' },
          path: { type: 'string', description: 'e.g. config.size' },
          column: { type: 'integer' },
        },
      },
      PipelineDocument: { type: 'object', description: 'A sluice/v1 document (GRAPH_FORMAT.md; JSON Schema in docs/)', required: ['format', 'nodes', 'edges'] },
      StoredPipeline: {
        type: 'object',
        properties: { id: { type: 'string' }, document: ref('PipelineDocument'), version: { type: 'integer' }, updatedAt: { type: 'string' }, baseDir: { type: 'string' } },
      },
      Saved: { type: 'object', properties: { pipeline: ref('StoredPipeline'), valid: { type: 'boolean' }, diagnostics: { type: 'array', items: ref('Diagnostic') } } },
    },
  },
  paths: {
    '/api/node-types': { get: { summary: 'Every node type: category, docs, example, ports, config JSON Schema, defaults', responses: { 200: ok('node types') } } },
    '/api/pipelines': {
      get: { summary: 'Pipelines with name, version and status', responses: { 200: ok('list') } },
      post: {
        summary: 'Store a new document; a draft with errors is kept and its diagnostics returned. Author from x-sluice-user',
        requestBody: documentBody,
        responses: { 201: ok('stored', ref('Saved')), 400: E[400], 409: E[409], 413: E[413], 422: E[422] },
      },
    },
    '/api/pipelines/{id}': {
      parameters: [id],
      get: { summary: 'A pipeline, its diagnostics and status', responses: { 200: ok('pipeline'), 400: E[400], 404: E[404] } },
      put: {
        summary: 'Save a new version (optional ?note=)',
        requestBody: documentBody,
        responses: { 200: ok('saved', ref('Saved')), 400: E[400], 404: E[404], 413: E[413], 422: E[422] },
      },
      delete: { summary: 'Stop and delete a pipeline with its versions', responses: { 200: ok('deleted'), 404: E[404] } },
    },
    '/api/pipelines/{id}/versions': { parameters: [id], get: { summary: 'Every version: number, time, author, action, note', responses: { 200: ok('versions'), 404: E[404] } } },
    '/api/pipelines/{id}/versions/{v}': { parameters: [id, version('v')], get: { summary: 'One version with its document', responses: { 200: ok('version'), 400: E[400], 404: E[404] } } },
    '/api/pipelines/{id}/versions/{a}/diff/{b}': {
      parameters: [id, version('a'), version('b')],
      get: { summary: 'What changed from version a to b: params, nodes (with config paths), edges, one summary line each', responses: { 200: ok('diff'), 400: E[400], 404: E[404] } },
    },
    '/api/pipelines/{id}/rollback': {
      parameters: [id],
      post: {
        summary: "Store a version's document as a new version (action rollback) and redeploy it when the pipeline is deployed",
        requestBody: { required: true, content: json({ type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 } } }) },
        responses: { 200: ok('{ pipeline, version, deployed }'), 400: E[400], 404: E[404], 422: E[422] },
      },
    },
    '/api/pipelines/{id}/recording': { parameters: [id], get: { summary: "What the live pipeline has recorded of its sources' events (for previews)", responses: { 200: ok('{ events, sources, capacity }'), 404: E[404] } } },
    '/api/pipelines/{id}/preview': {
      parameters: [id],
      post: {
        summary: 'Run a draft (default: the stored document) and the live version on the recording (or uploaded events) with sinks captured; their outputs and differences per key',
        requestBody: {
          required: false,
          content: json({ type: 'object', properties: { document: { type: 'object' }, params: { type: 'object' }, events: { type: 'object', additionalProperties: { type: 'array', items: { type: 'object' } } }, limit: { type: 'integer', minimum: 1 } } }),
        },
        responses: { 200: ok('{ recording, live, draft, diff, outcomes }'), 400: E[400], 404: E[404], 409: E[409], 422: E[422] },
      },
    },
    '/api/pipelines/{id}/nodes/{nodeId}/check': {
      parameters: [id, pathParam('nodeId', elementId)],
      post: {
        summary: "Check a connector node's connection (its stored config, or `config` from the body): connects, looks at what the config names, closes; nothing consumed or created",
        requestBody: { required: false, content: json({ type: 'object', properties: { config: { type: 'object' } } }) },
        responses: { 200: ok('{ ok, message, ms }: ok false when the check found something wrong'), 400: E[400], 404: E[404], 422: E[422] },
      },
    },
    '/api/pipelines/{id}/audit': { parameters: [id, { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 10000 } }], get: { summary: "The pipeline's audit entries, newest first", responses: { 200: ok('{ entries }'), 400: E[400] } } },
    '/api/audit': {
      parameters: [
        { name: 'pipeline', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 10000 } },
      ],
      get: { summary: 'The audit log (who, when, what, from where), newest first', responses: { 200: ok('{ entries }'), 400: E[400] } },
    },
    '/api/pipelines/{id}/validate': { parameters: [id], post: { summary: 'Every diagnostic of the stored document', responses: { 200: ok('{ valid, diagnostics }'), 404: E[404] } } },
    '/api/pipelines/{id}/deploy': {
      parameters: [id],
      post: {
        summary: 'Deploy; a running pipeline gets the new version swapped in between batches (redeploy: kept/reset nodes, or restart and why); optional body { params } overrides param values',
        requestBody: { required: false, content: json({ type: 'object', properties: { params: { type: 'object' } } }) },
        responses: { 200: ok('{ status, engine, deployment, redeploy? }'), 400: E[400], 404: E[404], 422: E[422], 500: error('The run did not start') },
      },
    },
    '/api/pipelines/{id}/stop': { parameters: [id], post: { summary: 'Stop; a restart will not bring it back', responses: { 200: ok('{ status }'), 404: E[404], 409: E[409] } } },
    '/api/pipelines/{id}/status': { parameters: [id], get: { summary: 'Status, current metrics, engine, deployment record', responses: { 200: ok('status'), 404: E[404] } } },
    '/api/pipelines/{id}/metrics': {
      parameters: [id, { name: 'intervalMs', in: 'query', required: false, schema: { type: 'integer', minimum: 100, default: 1000 } }],
      get: {
        summary: 'Server-sent events: `metrics` { status, metrics? } every second (nodes, edges, stages, sinks); `end` { status, metrics } when a run ends',
        responses: { 200: { description: 'event stream', content: sse }, 404: E[404] },
      },
    },
    '/api/pipelines/{id}/taps/{edgeId}': {
      parameters: [id, pathParam('edgeId', elementId)],
      get: {
        summary: 'Server-sent events: `events` arrays, a sample (at most 20 events/s) of the events crossing an edge; `end` when the run ends',
        responses: { 200: { description: 'event stream', content: sse }, 400: E[400], 404: E[404], 409: E[409] },
      },
    },
    '/api/ingest/{pipelineId}/{nodeId}': {
      parameters: [pathParam('pipelineId', id.schema), pathParam('nodeId', elementId)],
      post: {
        summary: 'Events for a source.http node: a JSON object, a JSON array, or NDJSON (application/x-ndjson)',
        requestBody: { required: true, content: { 'application/json': { schema: {} }, 'application/x-ndjson': { schema: { type: 'string' } } } },
        responses: { 202: ok('{ accepted }'), 400: E[400], 404: E[404], 409: E[409], 413: E[413], 429: E[429] },
      },
    },
    '/api/openapi.json': { get: { summary: 'This description', security: [], responses: { 200: ok('OpenAPI 3.1') } } },
    '/api/session': {
      post: {
        summary: 'Sign in: checks the token, starts a session and sets an HttpOnly SameSite=Strict cookie holding its random id (7 days); 429 after 10 failures a minute from one address',
        security: [],
        requestBody: { required: true, content: json({ type: 'object', required: ['token'], properties: { token: { type: 'string' } } }) },
        responses: { 200: ok('{ name, role }'), 400: E[400], 401: E[401], 403: E[403], 409: error('auth-disabled: the server has no tokens (local-only)'), 415: E[415], 429: E[429] },
      },
      delete: { summary: 'Sign out: ends the session on the server and clears the cookie', security: [], responses: { 200: ok('{ signedOut: true }'), 403: E[403] } },
    },
    '/api/me': {
      get: {
        summary: 'Who is calling: { name, role, authenticated, mode } (mode "local": no tokens, everyone is admin)',
        responses: { 200: ok('the caller', { type: 'object', properties: { name: { type: 'string' }, role: { enum: ['admin', 'editor', 'business', 'viewer'] }, authenticated: { type: 'boolean' }, mode: { enum: ['local', 'tokens'] } } }), 401: E[401] },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics (viewer or above when tokens are on)', responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/healthz': { get: { summary: 'The process is up', security: [], responses: { 200: ok('{ ok: true }') } } },
    '/readyz': { get: { summary: 'Ready to serve (Redis reachable in BullMQ mode)', security: [], responses: { 200: ok('{ ready, engine }'), 503: E[503] } } },
  },
} as const;
