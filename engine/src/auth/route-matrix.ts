/**
 * Every route of the API for every role: the status each gets, over a real app with a file
 * store and real tokens. 401/403 come from the auth middleware; any other status shows the
 * request reached the route (a 404 for the unknown pipeline "ghost", a 409 for a pipeline that
 * is not running, ...), so mutating routes are aimed where they change nothing.
 * Run by engine/src/auth/route-matrix.test.ts and by the security suite
 * (test/security/role-route-table.test.ts): one table, two suites.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, generatorDoc } from '../api/test-support.js';
import { authTestApi } from './auth-fixtures.js';
import { requirementFor } from './route-policy.js';

type Row = [
  method: string,
  path: string,
  body: unknown | ((who: string) => unknown),
  admin: number,
  editor: number,
  business: number,
  viewer: number,
  none: number,
];

/** A body per caller: each save is a real change from the one before. */
const renamed = (who: string) => ({ ...generatorDoc(), name: `Renamed by ${who}` });

// prettier-ignore
const MATRIX: Row[] = [
  //  method    path                                        body                     admin editor business viewer none
  ['GET', '/healthz', undefined, 200, 200, 200, 200, 200],
  ['GET', '/readyz', undefined, 200, 200, 200, 200, 200],
  ['GET', '/api/openapi.json', undefined, 200, 200, 200, 200, 200],
  ['DELETE', '/api/session', undefined, 200, 200, 200, 200, 200],
  ['POST', '/api/session', { token: 'wrong' }, 401, 401, 401, 401, 401],
  // OpenID Connect sign-in is open (none configured here: 404 for everyone, past the auth middleware).
  ['GET', '/api/auth/oidc/provider', undefined, 404, 404, 404, 404, 404],
  ['GET', '/api/auth/oidc/login', undefined, 404, 404, 404, 404, 404],
  ['GET', '/api/auth/oidc/callback', undefined, 404, 404, 404, 404, 404],
  ['GET', '/api/me', undefined, 200, 200, 200, 200, 401],
  ['GET', '/metrics', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/node-types', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/node-types?plugin=true', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/audit', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/pipelines', undefined, 200, 200, 200, 200, 401],
  ['POST', '/api/pipelines', { hello: 'world' }, 422, 422, 403, 403, 401],
  ['GET', '/api/pipelines/live', undefined, 200, 200, 200, 200, 401],
  ['PUT', '/api/pipelines/live', renamed, 200, 200, 403, 403, 401],
  ['DELETE', '/api/pipelines/ghost', undefined, 404, 404, 403, 403, 401],
  ['GET', '/api/pipelines/live/versions', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/pipelines/live/versions/1', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/pipelines/live/versions/1/diff/1', undefined, 200, 200, 200, 200, 401],
  ['POST', '/api/pipelines/ghost/rollback', { version: 1 }, 404, 404, 404, 403, 401],
  ['POST', '/api/pipelines/live/validate', undefined, 200, 200, 200, 200, 401],
  ['POST', '/api/pipelines/ghost/deploy', undefined, 404, 404, 404, 403, 401],
  ['POST', '/api/pipelines/live/stop', undefined, 409, 409, 403, 403, 401],
  ['GET', '/api/pipelines/live/status', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/pipelines/live/recording', undefined, 200, 200, 200, 200, 401],
  ['DELETE', '/api/pipelines/ghost/recording', undefined, 404, 404, 403, 403, 401],
  ['POST', '/api/pipelines/ghost/preview', {}, 404, 404, 404, 403, 401],
  // The draft on sample events with every edge watched, and "Run to here": the graph's people.
  ['POST', '/api/pipelines/ghost/preview/debug', {}, 404, 404, 403, 403, 401],
  // The stream debugger: its sessions are editors' (docs/debugger.md); "ghost" is no session.
  ['POST', '/api/pipelines/ghost/debug', {}, 404, 404, 403, 403, 401],
  ['POST', '/api/debug/ghost/step', {}, 404, 404, 403, 403, 401],
  ['POST', '/api/debug/ghost/step-batch', {}, 404, 404, 403, 403, 401],
  ['POST', '/api/debug/ghost/run-to-hit', {}, 404, 404, 403, 403, 401],
  ['POST', '/api/debug/ghost/continue', {}, 404, 404, 403, 403, 401],
  ['GET', '/api/debug/ghost/state', undefined, 404, 404, 403, 403, 401],
  ['GET', '/api/debug/ghost/events', undefined, 404, 404, 403, 403, 401],
  ['DELETE', '/api/debug/ghost', undefined, 404, 404, 403, 403, 401],
  // Pinned samples: read by anyone, pinned and unpinned by editors.
  ['GET', '/api/pipelines/live/pinned', undefined, 200, 200, 200, 200, 401],
  ['PUT', '/api/pipelines/ghost/pinned/orders', { events: [{ a: 1 }] }, 404, 404, 403, 403, 401],
  ['DELETE', '/api/pipelines/ghost/pinned/orders', undefined, 404, 404, 403, 403, 401],
  // Test cases: read by anyone, made and run by editors (a deploy runs them for business users too).
  ['GET', '/api/pipelines/live/tests', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/pipelines/live/alerts.yml', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/pipelines/live/alerts', undefined, 200, 200, 200, 200, 401],
  ['POST', '/api/pipelines/ghost/tests', { name: 'x' }, 404, 404, 403, 403, 401],
  ['POST', '/api/pipelines/ghost/tests/run', {}, 404, 404, 403, 403, 401],
  ['POST', '/api/pipelines/live/nodes/orders/check', {}, 400, 400, 403, 403, 401],
  ['GET', '/api/pipelines/live/audit', undefined, 200, 200, 200, 200, 401],
  ['GET', '/api/pipelines/ghost/metrics', undefined, 404, 404, 404, 404, 401],
  ['GET', '/api/pipelines/live/taps/e1', undefined, 409, 409, 409, 409, 401],
  ['POST', '/api/ingest/live/orders', { ts: 1 }, 400, 400, 403, 403, 401],
  ['GET', '/api/pipelines/live/export', undefined, 200, 200, 200, 200, 401],
  ['POST', '/api/pipelines?action=import', { hello: 'world' }, 422, 422, 403, 403, 401],
  // The server's input files: editors and admins (a JSON body is not an upload: 415).
  ['GET', '/api/files', undefined, 200, 200, 403, 403, 401],
  ['PUT', '/api/files/ghost', {}, 415, 415, 403, 403, 401],
  ['DELETE', '/api/files/ghost', undefined, 404, 404, 403, 403, 401],
  // The worker processes (none on the embedded engine): editors and admins.
  ['GET', '/api/workers', undefined, 200, 200, 403, 403, 401],
  ['GET', '/api/cluster', undefined, 200, 200, 403, 403, 401],
  // Routes that do not exist: reads need a viewer, anything else an editor, before the 404.
  ['GET', '/api/nothing-here', undefined, 404, 404, 404, 404, 401],
  ['POST', '/api/nothing-here', {}, 404, 404, 403, 403, 401],
  ['PATCH', '/api/pipelines/live', {}, 404, 404, 403, 403, 401],
  // Odd spellings of API paths are never read as the open editor files.
  ['POST', '//api/pipelines', {}, 404, 404, 403, 403, 401],
  ['GET', '/API/pipelines', undefined, 404, 404, 404, 404, 401],
  // The editor's files (none built here: the not-found answer) are open, so the sign-in page loads.
  ['GET', '/index.html', undefined, 404, 404, 404, 404, 404],
];

const ROLES = ['admin', 'editor', 'business', 'viewer', 'none'] as const;

/** The table's tests, registered in the calling test file. */
export function describeRouteMatrix(): void {
  afterEach(closeTestApis);

  describe('role x route x status', () => {
    it('every role gets the expected status on every route', async () => {
      const api = await authTestApi();
      expect((await api.as('admin', 'POST', '/api/pipelines', generatorDoc())).status).toBe(201);
      const failures: string[] = [];
      for (const [method, path, body, ...expected] of MATRIX) {
        for (const [i, who] of ROLES.entries()) {
          const r = await api.as(who, method, path, typeof body === 'function' ? body(who) : body);
          if (r.status !== expected[i])
            failures.push(`${who} ${method} ${path}: ${r.status} (expected ${expected[i]}) ${r.text.slice(0, 200)}`);
          if (r.status === 401) expect(r.json.error?.code, `${who} ${method} ${path}`).toBe('unauthenticated');
          if (r.status === 403) expect(r.json.error?.code, `${who} ${method} ${path}`).toBe('forbidden');
        }
        // A token that is not configured fares as no token at all.
        const bad = await api.as('bad', method, path, typeof body === 'function' ? body('bad') : body);
        if (bad.status !== expected[4]) failures.push(`bad token ${method} ${path}: ${bad.status} (expected ${expected[4]})`);
      }
      expect(failures).toEqual([]);
    });

    it('the table names every route the app has', async () => {
      const { app } = await authTestApi();
      const routes = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
      const pattern = (path: string) =>
        path.replace(
          /\/(live|ghost|1|e1|orders)(?=\/|$)/g,
          (_, seg: string) => `/${{ live: ':id', ghost: ':id', 1: ':v', e1: ':edgeId', orders: ':nodeId' }[seg]}`,
        );
      const covered = new Set(MATRIX.map(([m, p]) => `${m} ${pattern(p.split('?')[0]!)}`));
      const missing = [...routes].filter((r) => {
        const [m, p] = r.split(' ') as [string, string];
        const loose = p
          .replace(/:pipelineId/, ':id')
          .replace(/^\/api\/debug\/:session/, '/api/debug/:id')
          .replace(/:a\/diff\/:b/, ':v/diff/:v')
          .replace(/^\/api\/files\/:name$/, '/api/files/:id');
        return !covered.has(`${m} ${loose}`);
      });
      expect(missing).toEqual([]);
    });

    it('403 messages say what the role lacks; 401 carries WWW-Authenticate', async () => {
      const api = await authTestApi();
      await api.as('admin', 'POST', '/api/pipelines', generatorDoc());
      const viewer = await api.as('viewer', 'POST', '/api/pipelines/live/deploy');
      expect(viewer.json.error.message).toBe(
        'viewers may only read; POST /api/pipelines/:id/deploy needs editor or above (or business, for exposed values only)',
      );
      const business = await api.as('business', 'DELETE', '/api/pipelines/live');
      expect(business.json.error.message).toBe('the business role may not DELETE /api/pipelines/:id; it needs editor or above');
      const none = await api.as('none', 'GET', '/api/pipelines');
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="sluice"');
      expect(none.json.error.message).toContain('Authorization: Bearer');
      expect((await api.as('bad', 'GET', '/api/pipelines')).json.error.message).toContain('not valid');
      expect((await api.call('GET', '/api/pipelines', undefined, { authorization: 'Basic abc' })).status).toBe(401);
    });
  });

  describe('route policy decisions', () => {
    it("the lead's newer routes and the defaults", () => {
      const min = (m: string, p: string) => {
        const r = requirementFor(m, p).rule;
        return r.kind === 'open' ? 'open' : r.kind === 'guarded' ? `${r.min}|business-guarded` : r.min;
      };
      expect(min('POST', '/api/pipelines/x/preview')).toBe('editor|business-guarded');
      expect(min('POST', '/api/pipelines/x/rollback')).toBe('business');
      expect(min('GET', '/api/pipelines/x/recording')).toBe('viewer');
      expect(min('GET', '/api/audit')).toBe('viewer');
      expect(min('GET', '/api/pipelines/x/audit')).toBe('viewer');
      expect(min('PUT', '/api/pipelines/x')).toBe('editor|business-guarded');
      expect(min('POST', '/api/pipelines/x/deploy')).toBe('editor|business-guarded');
      expect(min('HEAD', '/api/pipelines')).toBe('viewer');
      expect(min('OPTIONS', '/api/pipelines')).toBe('open');
      expect(min('GET', '/assets/app.js')).toBe('open');
      expect(min('POST', '/api/pipelines/a%2Fb/deploy')).toBe('editor');
      expect(min('DELETE', '/api/tokens/x')).toBe('editor');
      expect(min('GET', '/api/files')).toBe('editor');
      expect(min('GET', '/api/workers')).toBe('editor');
      expect(min('GET', '/API/Files/')).toBe('editor');
      expect(min('PUT', '/api/files/x.csv')).toBe('editor');
      expect(min('GET', '/api/auth/oidc/callback')).toBe('open');
      expect(min('POST', '/api/auth/oidc/callback')).toBe('editor');
      expect(min('GET', '/api/debug/x/state')).toBe('editor');
      expect(min('POST', '/api/pipelines/x/debug')).toBe('editor');
    });
  });
}
