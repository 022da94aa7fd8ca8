/** Every API error has one shape: `{ error: { code, message, details? } }`. */
import { MAX_DOCUMENT_DEPTH, parseBoundedJson } from '@sluice/shared';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../logging/logger.js';
import { redact, redactDeep } from '../secrets/redact.js';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Every error answer passes here: a secret value or URL password in it is masked (docs/secrets.md). */
export function errorBody(code: string, message: string, details?: unknown) {
  const m = redact(message);
  return { error: details === undefined ? { code, message: m } : { code, message: m, details: redactDeep(details) } };
}

/**
 * The app's error handler. A 500 is logged with its stack under the request id, and the caller
 * gets a generic message with that id: an unexpected error's own text (a TypeError, a driver's
 * message) says nothing useful to a client and may say too much.
 */
export function sendError(c: Context, err: unknown, logger?: Logger) {
  const reqId = c.get('requestId') ?? 'unknown';
  if (err instanceof ApiError) {
    if (err.status >= 500)
      logger?.error(
        { reqId, code: err.code, err },
        `${err.status} ${err.code} on ${c.req.method} ${c.req.path} (request ${reqId}): ${err.message}`,
      );
    return c.json(errorBody(err.code, err.message, err.details), err.status);
  }
  // Hono's own HTTP errors (e.g. a body stream cut short) carry their status.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return c.json(errorBody('bad-request', (err as Error).message), status as ContentfulStatusCode);
  }
  logger?.error(
    { reqId, err },
    `500 on ${c.req.method} ${c.req.path} (request ${reqId}): ${err instanceof Error ? err.message : String(err)}`,
  );
  return c.json(errorBody('internal', `internal error; the server log has the details under request id ${reqId}`), 500);
}

/**
 * Parse JSON text, or a 400 that says why: malformed, nested deeper than `maxDepth` (checked on
 * the text first, so no walker ever sees it), or a number that is not finite (`1e400`).
 */
export function parseJson(text: string, what = 'the body', maxDepth = MAX_DOCUMENT_DEPTH): unknown {
  const r = parseBoundedJson(text, maxDepth, what);
  if (!r.ok) throw new ApiError(400, r.code, r.message);
  return r.value;
}

/** The request body as JSON (required), or a 400 that says why. */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiError(400, 'empty-body', 'the request body is empty; send JSON');
  return parseJson(text);
}

/** An optional JSON object body: `{}` when empty; 400 when it is not an object. */
export async function optionalJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  const body = parseJson(text);
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ApiError(400, 'invalid-body', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}
