/** The server's own part of the OpenAPI description (openapi.ts): files, the description itself, sign-in, workers and cluster. */
import * as S from './api-schemas.js';
import { json, error, ok, errors, body, param, fileName, open } from './openapi-parts.js';

export const serverPaths = {
  '/api/files': {
    get: {
      operationId: 'listFiles',
      summary: "The input files in <data>/files/ (API pipelines' folder). Editors and admins",
      responses: ok('files', S.FileList),
    },
  },
  '/api/files/{name}': {
    parameters: [fileName],
    put: {
      operationId: 'uploadFile',
      summary:
        'Upload (or replace, atomically) a file in <data>/files/: its bytes; SLUICE_MAX_FILE_BYTES (64 MiB) at most. Editors and admins',
      requestBody: {
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
      },
      responses: { ...ok('replaced', S.FileInfo), ...ok('created', S.FileInfo, 201), ...errors(400, 403, 409, 413, 415) },
    },
    delete: {
      operationId: 'deleteFile',
      summary: 'Delete a file from <data>/files/. Editors and admins',
      responses: { ...ok('deleted', S.Deleted), ...errors(400, 403, 404) },
    },
  },
  '/api/openapi.json': {
    get: {
      operationId: 'getOpenApi',
      summary: 'This description',
      ...open,
      responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
    },
  },
  '/api/session': {
    post: {
      operationId: 'signIn',
      summary:
        'Sign in: checks the token, starts a session and sets an HttpOnly SameSite=Strict cookie holding its random id (7 days); 429 after 10 failures a minute from one address',
      ...open,
      requestBody: body(S.SessionBody),
      responses: {
        ...ok('signed in', S.Session),
        ...errors(400, 401, 403, 415, 429),
        409: error('auth-disabled: the server has no tokens (local-only)'),
      },
    },
    delete: {
      operationId: 'signOut',
      summary: 'Sign out: ends the session on the server and clears the cookie',
      ...open,
      responses: { ...ok('signed out', S.SignedOut), ...errors(403) },
    },
  },
  '/api/workers': {
    get: {
      operationId: 'listWorkers',
      summary:
        'The BullMQ worker processes: id, host, pid, labels, the partition queues each is processing now, heartbeat age (editor or above; empty on the embedded engine)',
      responses: { ...ok('workers', S.Workers), ...errors(503) },
    },
  },
  '/api/cluster': {
    get: {
      operationId: 'getCluster',
      summary:
        'The servers sharing this Redis prefix, which one holds the coordinator lease and since when (editor or above; no servers on the embedded engine)',
      responses: { ...ok('the cluster', S.Cluster), ...errors(503) },
    },
  },
  '/api/auth/oidc/provider': {
    get: {
      operationId: 'getSignInProvider',
      summary:
        'The OpenID Connect provider browsers may sign in with: its name (for "Sign in with <name>") and the login path; 404 when none is configured',
      ...open,
      responses: { ...ok('the provider', S.OidcProvider), ...errors(404) },
    },
  },
  '/api/auth/oidc/login': {
    get: {
      operationId: 'startSignInWithProvider',
      summary:
        'Sends the browser to the OpenID Connect provider (authorization code flow with PKCE; state and nonce kept on the server for 10 minutes)',
      ...open,
      parameters: [
        param(
          'next',
          'query',
          { type: 'string', maxLength: 500 },
          "Where to go after signing in: an editor route such as '#/p/pricing/business'",
        ),
      ],
      responses: {
        302: { description: "To the provider's authorization endpoint (or to the sign-in page with ?problem=unavailable)" },
        ...errors(404),
      },
    },
  },
  '/api/auth/oidc/callback': {
    get: {
      operationId: 'finishSignInWithProvider',
      summary:
        "The provider's way back: verifies state, PKCE and the ID token (signature, issuer, audience, expiry, nonce), maps the role claim, starts a session (the sluice_session cookie)",
      ...open,
      responses: {
        302: { description: "Signed in: to `next` or '#/start'. Refused: to '#/signin?problem=no-role|cancelled|failed|busy'" },
        ...errors(404),
      },
    },
  },
  '/api/me': {
    get: {
      operationId: 'whoAmI',
      summary: 'Who is calling (mode "local": no tokens, everyone is admin)',
      responses: { ...ok('the caller', S.Me), ...errors(401) },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getPrometheusMetrics',
      summary: 'Prometheus metrics (viewer or above when tokens are on)',
      responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
  '/healthz': { get: { operationId: 'getHealth', summary: 'The process is up', ...open, responses: ok('up', S.Health) } },
  '/readyz': {
    get: {
      operationId: 'getReadiness',
      summary: 'Ready to serve (Redis reachable in BullMQ mode)',
      ...open,
      responses: { ...ok('ready', S.Ready), ...errors(503) },
    },
  },
};
