/**
 * `POST /api/ingest/:pipelineId/:nodeId`: records for a `source.http` node. JSON object, JSON
 * array, or NDJSON. 202 with the count; 429 + Retry-After when the node's inbox is full (nothing
 * taken: retry the request whole); 404 unknown pipeline or node; 409 not deployed.
 */
import { Hono } from 'hono';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError, errorBody } from '../errors.js';

export function ingestRoutes(o: { store: PipelineStore; deployments: DeploymentManager }): Hono {
  return new Hono().post('/:pipelineId/:nodeId', async (c) => {
    const { pipelineId, nodeId } = c.req.param();
    const stored = /^[a-z0-9][a-z0-9-]{0,63}$/.test(pipelineId) ? await o.store.get(pipelineId) : undefined;
    if (!stored) throw new ApiError(404, 'not-found', `no pipeline "${pipelineId}"`);
    const node = stored.document.nodes.find((n) => n.id === nodeId);
    if (!node) throw new ApiError(404, 'not-found', `pipeline "${pipelineId}" has no node "${nodeId}"`);
    if (node.type !== 'source.http') throw new ApiError(400, 'not-ingestible', `node "${nodeId}" is a ${node.type}; only source.http nodes take posted events`);
    const records = parseRecords(await c.req.text(), c.req.header('content-type') ?? '');
    const hub = o.deployments.ingest;
    const result = hub ? hub.offer(pipelineId, nodeId, records) : 'unknown';
    if (result === 'unknown') throw new ApiError(409, 'not-deployed', `pipeline "${pipelineId}" is not deployed`);
    if (result === 'full') {
      return c.json(errorBody('backpressure', `node "${nodeId}" has its maximum of events waiting; retry later`), 429, { 'retry-after': '1' });
    }
    return c.json({ accepted: records.length }, 202);
  });
}

function parseRecords(text: string, contentType: string): unknown[] {
  if (text.trim() === '') throw new ApiError(400, 'empty-body', 'the request body is empty');
  if (contentType.includes('ndjson') || contentType.includes('jsonl')) {
    return text
      .split('\n')
      .map((l, i) => [l, i + 1] as const)
      .filter(([l]) => l.trim() !== '')
      .map(([l, line]) => {
        try {
          return JSON.parse(l);
        } catch (err) {
          throw new ApiError(400, 'malformed-json', `line ${line} is not valid JSON: ${(err as Error).message}`);
        }
      });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'malformed-json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  return Array.isArray(body) ? body : [body];
}
