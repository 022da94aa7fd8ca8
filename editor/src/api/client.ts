/** The editor's only way to the engine: typed HTTP calls and server-sent events. */
import type {
  AuditEntry,
  Diagnostic,
  Me,
  NodeCategory,
  ParamValue,
  PortSpec,
  PipelineDocument,
  PipelineMetrics,
  PipelineStatus,
  PipelineSummary,
  PreviewResult,
  RecordingStats,
  Role,
  StoredPipeline,
  VersionDiff,
  VersionInfo,
} from '@sluice/shared';

// The server's answers, defined once in shared (protocol/api-types.ts, protocol/pipeline-api.ts).
export type {
  AuditEntry,
  FieldChange,
  Me,
  PipelineSummary,
  PreviewResult,
  Role,
  SinkDiff,
  StoredPipeline,
  VersionDiff,
  VersionInfo,
} from '@sluice/shared';
export type Recording = RecordingStats;

export interface PreviewRequest {
  /** A draft to try; default: the stored document. */
  document?: PipelineDocument;
  params?: Record<string, ParamValue>;
  /** Uploaded sample events per source node id; default: the live recording. */
  events?: Record<string, Record<string, unknown>[]>;
  limit?: number;
  /** `pinned`: a source's pinned sample wins over its recording (default: pinned only where nothing is recorded). */
  sample?: 'recording' | 'pinned';
}

/** Where each source's events came from in a preview or a debug run (docs/pinned-samples.md). */
export type SampleOrigin = 'recording' | 'pinned' | 'generator' | 'uploaded';

/** Events that crossed one edge of a debug run: how many, and the last of them. */
export interface EdgeSample {
  count: number;
  events: Record<string, unknown>[];
}

/** POST /api/pipelines/:id/preview/debug (engine/src/preview/debug-run.ts). */
export interface DebugRunAnswer {
  status: string;
  error?: string;
  errors: Record<string, number>;
  edges: Record<string, EdgeSample>;
  until?: { nodeId: string; ports: Record<string, EdgeSample> };
  samples: Record<string, SampleOrigin>;
  sources: Record<string, number>;
}

/** GET /api/pipelines/:id/pinned. */
export interface PinnedAnswer {
  limits: { events: number; bytes: number };
  sources: Record<string, { count: number; events: Record<string, unknown>[] }>;
}

/** A test case as POST /api/pipelines/:id/tests answers it. */
export interface SavedCase {
  name: string;
  description?: string;
  inputs: Record<string, number>;
  expected: Record<string, number>;
}

/** One node type as GET /api/node-types answers it (engine/src/api/routes/node-types.ts). */
export interface NodeTypeDescription {
  type: string;
  category: NodeCategory;
  title: string;
  summary: string;
  docs: string;
  example: unknown;
  inputs: PortSpec[];
  /** The example config's output ports. */
  outputs: PortSpec[];
  /** The config's JSON Schema, as a person writes it (fields with defaults optional). */
  configSchema: Record<string, unknown>;
  defaults: Record<string, unknown>;
  bounded?: boolean;
  connects: boolean;
  envRefFields: string[];
  /** Loaded from a plugin at the server's start: the editor's bundle does not hold it. */
  plugin: boolean;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: Diagnostic[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.error.message);
  }
  get code(): string {
    return this.body.error.code;
  }
}

/** Told of every 401 (the app then shows the sign-in page); the sign-in call itself is exempt. */
let onUnauthenticated: (() => void) | undefined;
export function setUnauthenticatedHandler(fn: (() => void) | undefined): void {
  onUnauthenticated = fn;
}

export async function call<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { error: { code: 'bad-response', message: `${method} ${path}: HTTP ${res.status}, not JSON` } };
  }
  if (!res.ok) {
    const err = json as Partial<ApiErrorBody>;
    const bodyOut: ApiErrorBody = err?.error?.message
      ? (err as ApiErrorBody)
      : { error: { code: `http-${res.status}`, message: `${method} ${path}: HTTP ${res.status}` } };
    if (res.status === 401 && !opts.quiet401) onUnauthenticated?.();
    throw new ApiError(res.status, bodyOut);
  }
  return json as T;
}

/** GET /api/workers (engine/src/runners/bullmq/worker-list.ts). */
/** GET /api/pipelines/:id/alerts: each alert rule's state on the server (docs/alerts.md). */
export interface AlertsAnswer {
  evaluated: boolean;
  alerts: {
    rule: string;
    name: string;
    node?: string;
    edge?: string;
    state: 'ok' | 'pending' | 'firing';
    since?: number;
    value?: number;
  }[];
}

export interface WorkersAnswer {
  engine: string;
  workers: {
    id: string;
    host: string | null;
    pid: number | null;
    labels: string[];
    holds: string[];
    heartbeatAgeMs: number;
    live: boolean;
  }[];
}

/** GET /api/cluster (engine/src/cluster/server-cluster.ts; docs/multi-server.md). */
export interface ClusterAnswer {
  engine: string;
  self?: string;
  leader?: { id: string; since: string; token: string };
  servers: { id: string; host: string; pid: number; url?: string; startedAt: string; lastBeatMs: number; leader: boolean }[];
}

const enc = encodeURIComponent;

export const api = {
  // Session
  me: () => call<Me>('GET', '/api/me', undefined, { quiet401: true }),
  signIn: (token: string) => call<{ name: string; role: Role }>('POST', '/api/session', { token }, { quiet401: true }),
  signOut: () => call<unknown>('DELETE', '/api/session', undefined, { quiet401: true }),
  oidcProvider: () => call<{ name: string; login: string }>('GET', '/api/auth/oidc/provider', undefined, { quiet401: true }),

  // Node types loaded from plugins: the ones this bundle lacks
  pluginNodeTypes: () => call<{ nodeTypes: NodeTypeDescription[] }>('GET', '/api/node-types?plugin=true').then((r) => r.nodeTypes),

  // Pipelines
  list: () => call<{ pipelines: PipelineSummary[] }>('GET', '/api/pipelines').then((r) => r.pipelines),
  get: (id: string) =>
    call<{ pipeline: StoredPipeline; status: PipelineStatus; valid?: boolean; diagnostics?: Diagnostic[] }>(
      'GET',
      `/api/pipelines/${enc(id)}`,
    ),
  create: (doc: PipelineDocument) =>
    call<{ pipeline: StoredPipeline; valid: boolean; diagnostics: Diagnostic[] }>('POST', '/api/pipelines', doc),
  save: (id: string, doc: PipelineDocument, note?: string) =>
    call<{ pipeline: StoredPipeline; valid: boolean; diagnostics: Diagnostic[] }>(
      'PUT',
      `/api/pipelines/${enc(id)}${note ? `?note=${enc(note)}` : ''}`,
      doc,
    ),
  /** An autosave: one draft version per author, replaced by the next autosave until a Save, deploy, import or rollback. */
  saveDraft: (id: string, doc: PipelineDocument) =>
    call<{ pipeline: StoredPipeline; valid: boolean; diagnostics: Diagnostic[] }>('PUT', `/api/pipelines/${enc(id)}?draft=true`, doc),
  remove: (id: string) => call<{ deleted: string }>('DELETE', `/api/pipelines/${enc(id)}`),
  deploy: (id: string, params?: Record<string, ParamValue>) =>
    call<{ status: string }>('POST', `/api/pipelines/${enc(id)}/deploy`, params ? { params } : undefined),
  stop: (id: string) => call<{ status: string }>('POST', `/api/pipelines/${enc(id)}/stop`),
  status: (id: string) => call<{ status: PipelineStatus }>('GET', `/api/pipelines/${enc(id)}/status`),

  // Versions, rollback, audit
  versions: (id: string) => call<{ current: number; versions: VersionInfo[] }>('GET', `/api/pipelines/${enc(id)}/versions`),
  version: (id: string, v: number) => call<VersionInfo & { document: PipelineDocument }>('GET', `/api/pipelines/${enc(id)}/versions/${v}`),
  diff: (id: string, a: number, b: number) => call<VersionDiff>('GET', `/api/pipelines/${enc(id)}/versions/${a}/diff/${b}`),
  rollback: (id: string, version: number) =>
    call<{ pipeline: StoredPipeline; version: number; deployed: boolean }>('POST', `/api/pipelines/${enc(id)}/rollback`, { version }),
  pipelineAudit: (id: string) => call<{ entries: AuditEntry[] }>('GET', `/api/pipelines/${enc(id)}/audit`).then((r) => r.entries),
  audit: (q: { pipeline?: string; limit?: number } = {}) => {
    const qs = new URLSearchParams();
    if (q.pipeline) qs.set('pipeline', q.pipeline);
    if (q.limit) qs.set('limit', String(q.limit));
    const s = qs.toString();
    return call<{ entries: AuditEntry[] }>('GET', `/api/audit${s ? `?${s}` : ''}`).then((r) => r.entries);
  },

  // Business: what was recorded, and what a draft would change
  recording: (id: string) => call<Recording>('GET', `/api/pipelines/${enc(id)}/recording`),
  alerts: (id: string) => call<AlertsAnswer>('GET', `/api/pipelines/${enc(id)}/alerts`),
  preview: (id: string, req: PreviewRequest = {}) =>
    call<PreviewResult & { samples?: Record<string, SampleOrigin> }>('POST', `/api/pipelines/${enc(id)}/preview`, req),
  /** The draft on the sample events with every edge watched; `until`: that node and what feeds it ("Run to here"). */
  debugRun: (id: string, req: PreviewRequest & { until?: string } = {}) =>
    call<DebugRunAnswer>('POST', `/api/pipelines/${enc(id)}/preview/debug`, req),

  // Pinned sample data on sources (docs/pinned-samples.md)
  pinned: (id: string) => call<PinnedAnswer>('GET', `/api/pipelines/${enc(id)}/pinned`),
  pin: (id: string, nodeId: string, body: { events: unknown[] } | { jsonl: string } | { fromRecording: number }) =>
    call<{ node: string; count: number; events: Record<string, unknown>[] }>(
      'PUT',
      `/api/pipelines/${enc(id)}/pinned/${enc(nodeId)}`,
      body,
    ),
  unpin: (id: string, nodeId: string) => call<{ deleted: boolean }>('DELETE', `/api/pipelines/${enc(id)}/pinned/${enc(nodeId)}`),

  // Test cases (docs/pipeline-tests.md): the sample a preview ran on, with what the saved document sends as the expectation
  saveTestCase: (id: string, req: { name: string; description?: string; sample?: 'recording' | 'pinned' }) =>
    call<{ case: SavedCase }>('POST', `/api/pipelines/${enc(id)}/tests`, req),

  // The BullMQ workers (editors and admins)
  workers: () => call<WorkersAnswer>('GET', '/api/workers'),
  // The servers sharing the Redis prefix, and which one leads (editors and admins)
  cluster: () => call<ClusterAnswer>('GET', '/api/cluster'),

  // Connectors: does the node's config reach what it names?
  checkConnection: (id: string, nodeId: string, config: Record<string, unknown>) =>
    call<{ ok: boolean; message: string; ms: number }>('POST', `/api/pipelines/${enc(id)}/nodes/${enc(nodeId)}/check`, { config }),
};

/**
 * Asks the server who is signed in, through the ordinary path: a 401 sends the app to sign-in
 * (a server restarted with tokens while a page was open). Unreachable or old servers: nothing.
 */
export function checkSession(): void {
  void call<Me>('GET', '/api/me').catch(() => undefined);
}

/**
 * Live metrics, once a second, until closed. The stream follows the pipeline across deploys;
 * `end` carries a run's final numbers.
 */
export function subscribeMetrics(id: string, onMessage: (m: { status: string; metrics?: PipelineMetrics }) => void): () => void {
  const es = new EventSource(`/api/pipelines/${enc(id)}/metrics`);
  const handle = (e: Event) => onMessage(JSON.parse((e as MessageEvent).data));
  es.addEventListener('metrics', handle);
  es.addEventListener('end', handle);
  // The browser gives up on a stream answered with an error (a 401 from a server that now asks
  // for tokens): ask who is signed in, which sends the page to sign-in when that is why.
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) checkSession();
  });
  return () => es.close();
}

/** A field the server masked in a tap (docs/privacy.md): by a rule's op, or `personal` (its name looks personal). */
export interface MaskedField {
  field: string;
  how: string;
}

/** Samples of the events crossing an edge, masked by the pipeline's privacy settings; `onMasked` hears which fields were. */
export function subscribeTap(
  id: string,
  edgeId: string,
  onEvents: (events: Record<string, unknown>[]) => void,
  onMasked?: (fields: MaskedField[]) => void,
): () => void {
  const es = new EventSource(`/api/pipelines/${enc(id)}/taps/${enc(edgeId)}`);
  es.addEventListener('events', (e) => onEvents(JSON.parse((e as MessageEvent).data)));
  if (onMasked) es.addEventListener('masked', (e) => onMasked(JSON.parse((e as MessageEvent).data)));
  return () => es.close();
}
