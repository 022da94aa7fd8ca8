/** The editor's only way to the engine: typed HTTP calls and server-sent events. */
import type { Diagnostic, PipelineDocument, PipelineMetrics } from '@sluice/shared';

export interface PipelineSummary {
  id: string;
  name: string;
  description?: string;
  version: number;
  status: string;
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
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T | ApiErrorBody;
  if (!res.ok) throw new ApiError(res.status, json as ApiErrorBody);
  return json as T;
}

export const api = {
  list: () => call<{ pipelines: PipelineSummary[] }>('GET', '/api/pipelines').then((r) => r.pipelines),
  get: (id: string) => call<{ pipeline: { id: string; document: PipelineDocument; version: number }; status: string }>('GET', `/api/pipelines/${id}`),
  create: (doc: PipelineDocument) => call<{ pipeline: { id: string } }>('POST', '/api/pipelines', doc),
  save: (id: string, doc: PipelineDocument) => call<{ pipeline: { version: number } }>('PUT', `/api/pipelines/${id}`, doc),
  remove: (id: string) => call<unknown>('DELETE', `/api/pipelines/${id}`),
  deploy: (id: string) => call<{ status: string }>('POST', `/api/pipelines/${id}/deploy`),
  stop: (id: string) => call<{ status: string }>('POST', `/api/pipelines/${id}/stop`),
};

/**
 * Live metrics, once a second, until closed. The stream follows the pipeline across deploys;
 * `end` carries a run's final numbers.
 */
export function subscribeMetrics(id: string, onMessage: (m: { status: string; metrics?: PipelineMetrics }) => void): () => void {
  const es = new EventSource(`/api/pipelines/${id}/metrics`);
  const handle = (e: Event) => onMessage(JSON.parse((e as MessageEvent).data));
  es.addEventListener('metrics', handle);
  es.addEventListener('end', handle);
  return () => es.close();
}

/** Samples of the events crossing an edge. */
export function subscribeTap(id: string, edgeId: string, onEvents: (events: Record<string, unknown>[]) => void): () => void {
  const es = new EventSource(`/api/pipelines/${id}/taps/${encodeURIComponent(edgeId)}`);
  es.addEventListener('events', (e) => onEvents(JSON.parse((e as MessageEvent).data)));
  return () => es.close();
}
