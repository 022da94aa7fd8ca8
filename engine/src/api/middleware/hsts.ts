import type { MiddlewareHandler } from 'hono';

/** A year: browsers that saw the header keep to https that long (renewed by every answer). */
export const HSTS_VALUE = 'max-age=31536000';

/**
 * Strict-Transport-Security on every answer served over https (the server's own TLS,
 * docs/operations.md "Encryption in transit"): the browser then never tries plain http on
 * this name. Over http it is not sent (browsers ignore it there, and behind a TLS proxy the
 * proxy sets it).
 */
export function hsts(): MiddlewareHandler {
  return async function hstsMiddleware(c, next) {
    await next();
    if (c.req.url.startsWith('https:')) c.header('strict-transport-security', HSTS_VALUE);
  };
}
