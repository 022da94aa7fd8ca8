import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../errors.js';

export interface JsonContentTypeOptions {
  /** Media types accepted beyond application/json, per path prefix (ingest takes NDJSON). */
  extra?: readonly { prefix: string; types: readonly string[] }[];
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * 415 for a body that is not declared as JSON. A browser sends text/plain, forms and typeless
 * Blobs cross-site without a preflight; application/json needs one. Bodiless requests (curl -X
 * POST .../deploy) pass whatever they say. Runs after the body limit, so reading is bounded.
 */
export function jsonContentType(o: JsonContentTypeOptions = {}): MiddlewareHandler {
  return async function jsonContentTypeMiddleware(c, next) {
    if (!BODY_METHODS.has(c.req.method)) return next();
    const header = c.req.header('content-type');
    const type = header?.split(';')[0]?.trim().toLowerCase() ?? '';
    const accepted = ['application/json', ...(o.extra?.find((e) => c.req.path.startsWith(e.prefix))?.types ?? [])];
    if (accepted.includes(type)) return next();
    // Hono caches the text: the route reads the same bytes.
    if ((await c.req.text()) === '') return next();
    const sent = header === undefined ? 'no content-type' : `content-type ${JSON.stringify(header)}`;
    return c.json(
      errorBody('unsupported-media-type', `${c.req.method} ${c.req.path} takes ${accepted.join(' or ')}; the request has ${sent}`),
      415,
    );
  };
}
