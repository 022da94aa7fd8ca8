/** The OpenAPI 3.1 description served at /api/openapi.json (hand-written: the routes are few). */
const json = { 'application/json': { schema: { type: 'object' } } };
const sse = { 'text/event-stream': { schema: { type: 'string' } } };
const error = { description: 'Error: { error: { code, message, details? } }', content: json };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } };
const op = (summary: string, extra: Record<string, unknown> = {}) => ({ summary, responses: { 200: { description: 'OK', content: json }, 400: error, 404: error, ...((extra.responses as object) ?? {}) }, ...extra });

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Sluice API', version: '1', description: 'Store, validate, deploy and watch pipelines (docs/api.md).' },
  paths: {
    '/api/node-types': { get: op('Every node type: category, ports, config JSON Schema, example, docs') },
    '/api/pipelines': {
      get: op('List pipelines with their status'),
      post: op('Store a new pipeline document (drafts with errors are kept and reported)', { requestBody: { content: json }, responses: { 201: { description: 'Created', content: json }, 409: error, 413: error, 422: error } }),
    },
    '/api/pipelines/{id}': {
      parameters: [id],
      get: op('A pipeline, its diagnostics and status'),
      put: op('Save a new version of the document', { requestBody: { content: json }, responses: { 413: error, 422: error } }),
      delete: op('Stop and delete a pipeline'),
    },
    '/api/pipelines/{id}/versions': { parameters: [id], get: op('Every version: number, time, author, action') },
    '/api/pipelines/{id}/versions/{v}': { parameters: [id, { name: 'v', in: 'path', required: true, schema: { type: 'integer' } }], get: op('The document of one version') },
    '/api/pipelines/{id}/versions/{a}/diff/{b}': {
      parameters: [id, { name: 'a', in: 'path', required: true, schema: { type: 'integer' } }, { name: 'b', in: 'path', required: true, schema: { type: 'integer' } }],
      get: op('What changed between two versions: params, nodes, config paths, edges, one summary line each'),
    },
    '/api/pipelines/{id}/validate': { parameters: [id], post: op('Validate the stored document: every diagnostic') },
    '/api/pipelines/{id}/deploy': { parameters: [id], post: op('Deploy (optional body { params }); an invalid document is refused with 422 and its diagnostics', { responses: { 422: error } }) },
    '/api/pipelines/{id}/stop': { parameters: [id], post: op('Stop a deployed pipeline', { responses: { 409: error } }) },
    '/api/pipelines/{id}/status': { parameters: [id], get: op('Status and current metrics') },
    '/api/pipelines/{id}/metrics': { parameters: [id], get: { summary: 'Server-sent events: metrics of every node, edge, stage and sink, once a second', responses: { 200: { description: 'event stream', content: sse }, 404: error } } },
    '/api/pipelines/{id}/taps/{edgeId}': {
      parameters: [id, { name: 'edgeId', in: 'path', required: true, schema: { type: 'string' } }],
      get: { summary: 'Server-sent events: a sample (<= 20/s) of the events crossing an edge', responses: { 200: { description: 'event stream', content: sse }, 404: error, 409: error } },
    },
    '/api/ingest/{pipelineId}/{nodeId}': {
      parameters: [
        { name: 'pipelineId', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'nodeId', in: 'path', required: true, schema: { type: 'string' } },
      ],
      post: {
        summary: 'Events for a source.http node: JSON object, array, or NDJSON',
        requestBody: { content: { 'application/json': { schema: {} }, 'application/x-ndjson': { schema: { type: 'string' } } } },
        responses: { 202: { description: 'Accepted', content: json }, 400: error, 404: error, 409: error, 429: { description: 'Backpressure; Retry-After says when', content: json } },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/healthz': { get: op('The process is up') },
    '/readyz': { get: { summary: 'Ready to serve (Redis reachable in BullMQ mode)', responses: { 200: { description: 'ready', content: json }, 503: error } } },
  },
} as const;
