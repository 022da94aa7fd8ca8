import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../logging/logger.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** This request's id: the caller's `x-request-id` when it is a plain token, else a fresh one. */
    requestId: string;
  }
}

export interface RequestLogOptions {
  logger: Logger;
}

/** A caller's id is kept only when it cannot forge a log line or grow one without bound. */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Mounted first. Gives every request an id (the `x-request-id` answer header, and `requestId` in
 * every JSON error body, whoever answered: a door, a route, the error handler) and writes one
 * line per request: method, path, status, milliseconds, request id. Never the query string,
 * a body, a header value, a token or a cookie. A stream is logged when its headers go out.
 */
export function requestLog(o: RequestLogOptions): MiddlewareHandler {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    const sent = c.req.header('x-request-id');
    const reqId = sent !== undefined && CALLER_ID.test(sent) ? sent : randomUUID();
    c.set('requestId', reqId);
    await next();
    if (c.res.status >= 400) await stampErrorBody(c, reqId);
    c.res.headers.set('x-request-id', reqId);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const { method, path } = c.req;
    const status = c.res.status;
    const fields = { reqId, method, path, status, ms };
    const line = `${method} ${path} ${status} ${ms}ms (request ${reqId})`;
    if (status >= 500) o.logger.error(fields, line);
    else o.logger.info(fields, line);
  };
}

async function stampErrorBody(c: Parameters<MiddlewareHandler>[0], reqId: string): Promise<void> {
  if (!(c.res.headers.get('content-type') ?? '').includes('application/json')) return;
  let body: unknown;
  try {
    body = await c.res.clone().json();
  } catch {
    return;
  }
  const error = (body as { error?: unknown } | null)?.error;
  if (error === null || typeof error !== 'object' || Array.isArray(error)) return;
  const headers = new Headers(c.res.headers);
  headers.delete('content-length');
  const status = c.res.status;
  // Unset first: Hono's setter would otherwise merge the old answer's headers into the new one.
  c.res = undefined;
  c.res = new Response(JSON.stringify({ error: { ...error, requestId: reqId } }), { status, headers });
}
