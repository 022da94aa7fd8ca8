import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

export interface CorsOptions {
  /** Exact origins allowed (e.g. `https://ops.example.com`); none: no CORS headers at all. */
  origins?: readonly string[];
}

/**
 * CORS closed by default: without configured origins no CORS header is sent, so a page on
 * another origin cannot read the API (the server may run on a developer's machine).
 */
export function corsFromOptions(o: CorsOptions): MiddlewareHandler {
  const origins = o.origins?.filter((s) => s.trim() !== '') ?? [];
  if (origins.length === 0) return async (_c, next) => next();
  return cors({ origin: [...origins], allowHeaders: ['content-type', 'authorization', 'x-sluice-user'], maxAge: 600 });
}
