/** What the OpenAPI description's paths are written with (openapi.ts and its parts): answers, errors, parameters. */
import { refTo } from './api-schemas.js';

export type Schema = Parameters<typeof refTo>[0];
export const json = (schema: object) => ({ 'application/json': { schema } });
export const error = (description: string) => ({ description, content: json({ $ref: '#/components/schemas/Error' }) });
/** A server of a cluster that does not lead forwards deploys and stops; nobody answered (docs/multi-server.md). */
export const NO_LEADER = error(
  'no-leader (several servers only): the leading server did not answer the forwarded request, or none holds the lease; try again',
);
export const E = {
  400: error(
    'Bad request: malformed JSON, nested too deep (too-deep), a number out of range (non-finite-number), an invalid id, name or body',
  ),
  401: error('unauthenticated: no token, or not a valid one (only when the server has API tokens)'),
  403: error('forbidden: the role may not do this; or cross-origin: another site sent a change (docs/auth.md)'),
  404: error('No such pipeline (or node, edge, version, file)'),
  409: error('Conflict: exists already, or not deployed'),
  413: error('The body is larger than the limit'),
  415: error('unsupported-media-type: the body is not declared with a type this route takes'),
  421: error('unknown-host: the Host is not loopback, the bound address or SLUICE_ALLOWED_HOSTS'),
  422: error('Not a document, or not deployable: details lists every diagnostic'),
  429: error('Backpressure, or too many failed sign-ins from this address: retry after Retry-After seconds'),
  500: error('Internal error: a generic message and the request id the server log has the details under'),
  503: error('Not ready'),
};
export type Status = keyof typeof E;
export const ok = (description: string, schema: Schema, status = 200) => ({ [status]: { description, content: json(refTo(schema)) } });
export const errors = (...statuses: Status[]) => Object.fromEntries(statuses.map((s) => [s, E[s]]));
export const body = (schema: Schema, required = true) => ({ required, content: json(refTo(schema)) });
export const sse = (summary: string) => ({
  200: { description: summary, content: { 'text/event-stream': { schema: { type: 'string' } } } },
});
export const param = (name: string, where: 'path' | 'query', schema: object, description?: string) => ({
  name,
  in: where,
  required: where === 'path',
  schema,
  ...(description ? { description } : {}),
});
export const id = param('id', 'path', { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });
export const nodeId = (name: string) => param(name, 'path', { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' });
export const version = (name: string) => param(name, 'path', { type: 'integer', minimum: 1 });
export const limit = param('limit', 'query', { type: 'integer', minimum: 1, maximum: 10000, default: 200 });
export const fileName = param('name', 'path', { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$' });
export const open = { security: [] };
