import type { MiddlewareHandler } from 'hono';
import { clientAddress } from '../../auth/principal.js';

export interface RefusalLogOptions {
  /** The server log (one line a call). */
  log: (line: string) => void;
  /** Statuses logged (default 401, 403, 421, 429: who was turned away at a door). */
  statuses?: readonly number[];
}

/**
 * One line per refused request: method, path (no query string), client address, status and the
 * error message, which names the reason and never a credential (tokens are never echoed).
 * Mounted first, so it sees the answer of every middleware and route after it.
 */
export function refusalLog(o: RefusalLogOptions): MiddlewareHandler {
  const statuses = new Set(o.statuses ?? [401, 403, 421, 429]);
  return async function refusalLogMiddleware(c, next) {
    await next();
    if (!statuses.has(c.res.status)) return;
    let reason = '';
    try {
      reason = ((await c.res.clone().json()) as { error?: { code?: string; message?: string } }).error?.message ?? '';
    } catch {
      // Not our JSON error shape: the status says enough.
    }
    o.log(`refused ${c.res.status} ${c.req.method} ${c.req.path} from ${clientAddress(c)}${reason ? `: ${reason}` : ''}`);
  };
}
