import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../errors.js';

export interface OriginCheckOptions {
  /** Origins of other sites allowed to change state (SLUICE_ALLOWED_ORIGINS and the CORS origins). */
  allowedOrigins?: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery defence, in every mode: a page on another origin can send a
 * "simple" POST (text/plain, a form) with no preflight, and a Strict cookie still rides along
 * from another port of the same host (same-site). A state-changing request is refused when its
 * `Origin` is not this server's (or a configured one) or its `Sec-Fetch-Site` says cross-site or
 * same-site. Neither header (curl, the CLI, other programs): allowed.
 */
export function originCheck(o: OriginCheckOptions = {}): MiddlewareHandler {
  const allowed = new Set((o.allowedOrigins ?? []).map((s) => s.trim().replace(/\/+$/, '')).filter((s) => s !== ''));
  return async function originCheckMiddleware(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin !== undefined && allowed.has(origin)) return next();
    const refuse = (why: string) => c.json(errorBody('cross-origin', `refused ${c.req.method} ${c.req.path}: ${why}`), 403);
    if (origin !== undefined && !isOwnOrigin(origin, c.req.url)) {
      return refuse(
        `the request comes from origin ${JSON.stringify(origin)}, not this server's (add it to SLUICE_ALLOWED_ORIGINS if it is trusted)`,
      );
    }
    const site = c.req.header('sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') return refuse(`Sec-Fetch-Site is ${site}: a page on another site or port sent it`);
    return next();
  };
}

/**
 * Same host and port as the request. The scheme is not compared: behind a TLS proxy the page is
 * https and the request reaching us is http, and the Host header was checked already.
 */
function isOwnOrigin(origin: string, requestUrl: string): boolean {
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    // `null` (sandboxed frames, file: pages) and anything unparsable.
    return false;
  }
}
