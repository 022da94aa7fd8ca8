/**
 * Who may call what: every route's minimum role, in one table. The auth middleware asks
 * `requirementFor(method, path)` before any route runs; the first matching row wins. A path no
 * row names falls to the defaults: outside /api and /metrics it is open (the editor's static
 * files, so the sign-in page loads); under /api a read needs a viewer and anything else an
 * editor, so a route added without a row here is never open to business users or viewers.
 */
import type { Role } from '@sluice/shared';

/** Higher is more. A business user is above a viewer (may deploy) and below an editor. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, business: 1, editor: 2, admin: 3 };

export type Requirement =
  | { kind: 'open' }
  | { kind: 'role'; min: Role }
  /** `min` as usual, and a business user too, if the business guard passes the request. */
  | { kind: 'guarded'; min: Role; guard: BusinessGuard };

/** What the business guard checks: a saved document, deploy overrides, or a preview's draft and params. */
export type BusinessGuard = 'document-change' | 'deploy-params' | 'preview';

export interface PolicyRow {
  /** An HTTP method, or '*' for any. HEAD is read as GET. */
  method: string;
  /** `:name` matches one path segment, a trailing `**` the rest of the path. */
  path: string;
  rule: Requirement;
}

const open: Requirement = { kind: 'open' };
const role = (min: Role): Requirement => ({ kind: 'role', min });

export const ROUTE_POLICY: readonly PolicyRow[] = [
  // Open: probes, the API description, signing in and out.
  { method: 'GET', path: '/healthz', rule: open },
  { method: 'GET', path: '/readyz', rule: open },
  { method: 'GET', path: '/api/openapi.json', rule: open },
  { method: '*', path: '/api/session', rule: open },
  // OpenID Connect sign-in: the provider's name, the redirect to it, and its way back.
  { method: 'GET', path: '/api/auth/oidc/**', rule: open },
  // Reads.
  { method: 'GET', path: '/metrics', rule: role('viewer') },
  { method: 'GET', path: '/api/me', rule: role('viewer') },
  // The server's input files: editors and admins only, listing included (before the reads row).
  { method: '*', path: '/api/files', rule: role('editor') },
  { method: '*', path: '/api/files/**', rule: role('editor') },
  // The machines and processes behind the API: for those who run it (before the reads row).
  { method: 'GET', path: '/api/workers', rule: role('editor') },
  { method: 'GET', path: '/api/cluster', rule: role('editor') },
  // The stream debugger runs drafts on recorded events, step by step: the graph's people (reads too).
  { method: '*', path: '/api/debug/**', rule: role('editor') },
  { method: 'GET', path: '/api/**', rule: role('viewer') },
  { method: 'POST', path: '/api/pipelines/:id/validate', rule: role('viewer') },
  // What business users may do: change exposed values, preview such changes, deploy, roll back.
  { method: 'PUT', path: '/api/pipelines/:id', rule: { kind: 'guarded', min: 'editor', guard: 'document-change' } },
  { method: 'POST', path: '/api/pipelines/:id/deploy', rule: { kind: 'guarded', min: 'editor', guard: 'deploy-params' } },
  { method: 'POST', path: '/api/pipelines/:id/preview', rule: { kind: 'guarded', min: 'editor', guard: 'preview' } },
  { method: 'POST', path: '/api/pipelines/:id/rollback', rule: role('business') },
  // The graph's shape, running it, feeding it.
  { method: 'POST', path: '/api/pipelines', rule: role('editor') },
  { method: 'DELETE', path: '/api/pipelines/:id', rule: role('editor') },
  { method: 'DELETE', path: '/api/pipelines/:id/recording', rule: role('editor') },
  { method: 'POST', path: '/api/pipelines/:id/stop', rule: role('editor') },
  { method: 'POST', path: '/api/pipelines/:id/debug', rule: role('editor') },
  // Connects to outside systems with this server's secrets: not for business users or viewers.
  { method: 'POST', path: '/api/pipelines/:id/nodes/:node/check', rule: role('editor') },
  { method: 'POST', path: '/api/ingest/**', rule: role('editor') },
];

function compile(pattern: string): RegExp {
  const body = pattern
    .split('/')
    .map((seg) => (seg === '**' ? '.+' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}/?$`);
}

const COMPILED = ROUTE_POLICY.map((row) => ({ ...row, re: compile(row.path) }));

export interface Decision {
  rule: Requirement;
  /** The matching row's pattern, or "default". For messages and tests. */
  pattern: string;
}

export function requirementFor(method: string, rawPath: string): Decision {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const path = normalizePath(rawPath);
  // Preflights carry no credentials; CORS itself decides what they may do.
  if (m === 'OPTIONS') return { rule: open, pattern: 'OPTIONS' };
  for (const row of COMPILED)
    if ((row.method === '*' || row.method === m) && row.re.test(path)) return { rule: row.rule, pattern: row.path };
  if (!/^\/(api|metrics)(\/|$)/.test(path)) return { rule: open, pattern: 'default (editor files)' };
  return { rule: role(m === 'GET' ? 'viewer' : 'editor'), pattern: 'default' };
}

/** Decoded, slashes collapsed, lower case: an odd spelling of an API path never reads as an open one. */
export function normalizePath(path: string): string {
  let p = path;
  try {
    p = decodeURIComponent(path);
  } catch {
    // a malformed escape: match the raw text
  }
  return p.replace(/\/{2,}/g, '/').toLowerCase();
}

export function atLeast(have: Role, need: Role): boolean {
  return ROLE_RANK[have] >= ROLE_RANK[need];
}

/** "business or above", "admin" */
export function describeMin(min: Role): string {
  return min === 'admin' ? 'admin' : `${min} or above`;
}
