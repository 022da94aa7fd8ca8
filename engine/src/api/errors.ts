/** Every API error has one shape: `{ error: { code, message, details? } }`. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function sendError(c: Context, err: unknown) {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status);
  return c.json(errorBody('internal', err instanceof Error ? err.message : String(err)), 500);
}

/** The request body as JSON, or a 400 that says why. */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiError(400, 'empty-body', 'the request body is empty; send JSON');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'malformed-json', `the body is not valid JSON: ${(err as Error).message}`);
  }
}
