import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../errors.js';

export interface HostCheckOptions {
  /**
   * Host names (or `host:port`) answered besides loopback: SLUICE_ALLOWED_HOSTS and the address
   * the server was bound to when it is not a wildcard.
   */
  allowedHosts?: readonly string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

/** `[::1]` -> `::1`, lower case, no spaces. */
export function normalHostName(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
}

/**
 * DNS rebinding defence, on every request (GETs too: a rebound page reads the answers): the
 * Host a browser sends is the name it resolved, so a page on rebind.attacker.example that now
 * resolves to 127.0.0.1 still says `Host: rebind.attacker.example`. 421 for any other name.
 */
export function hostCheck(o: HostCheckOptions = {}): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...(o.allowedHosts ?? []).map(normalHostName).filter((h) => h !== '')]);
  return async function hostCheckMiddleware(c, next) {
    const url = new URL(c.req.url);
    const name = normalHostName(url.hostname);
    if (allowed.has(name) || allowed.has(url.host.toLowerCase())) return next();
    return c.json(
      errorBody(
        'unknown-host',
        `this server does not answer to Host "${url.host}"; add it to SLUICE_ALLOWED_HOSTS (comma-separated) if it is yours`,
      ),
      421,
    );
  };
}
