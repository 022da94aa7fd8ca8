/**
 * `POST /api/ingest/:pipelineId/:nodeId`: records for a `source.http` node. A JSON object, a
 * JSON array, or NDJSON (by content-type, or the node's `format`). 202 with the count; 429 +
 * Retry-After when the node's inbox cannot take them all (nothing is taken: retry the request
 * whole); 404 unknown pipeline or node; 409 when the pipeline is not running; 400 when a split
 * node's record has no `partitionBy` value (nothing is taken).
 */
import { findDepthExcess, findNonFinite, MAX_RECORD_DEPTH } from '@sluice/shared';
import { Hono } from 'hono';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError, errorBody, parseJson } from '../errors.js';
import { checkId, findPipeline } from '../lookup.js';

export interface IngestRoutesOptions {
  store: PipelineStore;
  deployments: DeploymentManager;
  /** Seconds a refused client should wait (Retry-After; default 1). */
  retryAfterSeconds?: number;
}

export function ingestRoutes(o: IngestRoutesOptions): Hono {
  return new Hono().post('/:pipelineId/:nodeId', async (c) => {
    const { pipelineId, nodeId } = c.req.param();
    const stored = await findPipeline(o.store, pipelineId);
    checkId('node', nodeId);
    const node = stored.document.nodes.find((n) => n.id === nodeId);
    if (!node) throw new ApiError(404, 'not-found', `pipeline "${pipelineId}" has no node "${nodeId}"`);
    if (node.type !== 'source.http')
      throw new ApiError(400, 'not-ingestible', `node "${nodeId}" is a ${node.type}; only source.http nodes take posted events`);
    const format = (node.config as { format?: unknown } | undefined)?.format;
    const records = parseRecords(
      await c.req.text(),
      c.req.header('content-type') ?? '',
      format === 'json' || format === 'ndjson' ? format : 'auto',
    );
    const hub = o.deployments.ingest;
    const result = hub ? await hub.offer(pipelineId, nodeId, records) : 'unknown';
    if (typeof result === 'object') {
      const { record, field } = result.unplaced;
      throw new ApiError(
        400,
        'missing-partition-key',
        `record ${record} has no value in "${field}" (a string, number or boolean), the field that places records in node "${nodeId}"'s partitions (partitionBy); nothing was taken`,
      );
    }
    if (result === 'unknown') throw new ApiError(409, 'not-deployed', `pipeline "${pipelineId}" is not running; deploy it first`);
    if (result === 'unavailable')
      throw new ApiError(
        503,
        'not-ready',
        `pipeline "${pipelineId}" takes no events: its state is missing from Redis (lost, or a redeploy is under way); see /readyz`,
      );
    if (result === 'full') {
      const retry = String(o.retryAfterSeconds ?? 1);
      return c.json(
        errorBody('backpressure', `node "${nodeId}" cannot take ${records.length} more events now; retry the request in ${retry} s`),
        429,
        { 'retry-after': retry },
      );
    }
    return c.json({ accepted: records.length }, 202);
  });
}

export function parseRecords(text: string, contentType: string, format: 'auto' | 'json' | 'ndjson'): unknown[] {
  if (text.trim() === '') throw new ApiError(400, 'empty-body', 'the request body is empty; send a JSON object, a JSON array or NDJSON');
  const ndjson = format === 'ndjson' || (format === 'auto' && /ndjson|jsonl|json-seq/.test(contentType));
  if (ndjson) return parseLines(text);
  // An array holds the records one level down: its limit is one more than a record's.
  const isArray = text.trimStart().startsWith('[');
  const deep = findDepthExcess(text, MAX_RECORD_DEPTH + (isArray ? 1 : 0));
  if (deep) throw tooDeep(isArray ? deep.index : 0);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    // `curl --data-binary @events.jsonl` sends NDJSON with a form content-type: accept it.
    if (format === 'auto' && text.trim().includes('\n')) return parseLines(text);
    throw new ApiError(400, 'malformed-json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  const records = Array.isArray(body) ? body : [body];
  records.forEach(checkFinite);
  return records;
}

function parseLines(text: string): unknown[] {
  const out: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (findDepthExcess(line, MAX_RECORD_DEPTH)) throw tooDeep(out.length, `line ${i + 1}`);
    const record = parseJson(line, `line ${i + 1}`);
    checkFinite(record, out.length);
    out.push(record);
  }
  return out;
}

// One bad record refuses the whole request (nothing is taken), as a full inbox does: retry it whole once fixed.
function tooDeep(index: number, where?: string): ApiError {
  return new ApiError(
    400,
    'too-deep',
    `record ${index}${where ? ` (${where})` : ''} nests deeper than ${MAX_RECORD_DEPTH} levels, the limit for a record; nothing was taken`,
  );
}

function checkFinite(record: unknown, index: number): void {
  const at = findNonFinite(record);
  if (at !== undefined)
    throw new ApiError(400, 'non-finite-number', `record ${index} has a number too large to represent at ${at}; nothing was taken`);
}
