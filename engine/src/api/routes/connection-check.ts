/**
 * `POST /api/pipelines/:id/nodes/:nodeId/check`: "Check connection" for a connector node. The
 * body may carry the editor's unsaved `config`; otherwise the stored node's is checked. The
 * config is validated as a deploy would, its `${env:...}` references and secrets resolved on
 * this server, then the node type's check connects, looks at what the config names and closes
 * (nothing consumed, nothing created: nodes/src/sdk/operator.ts ConnectionCheck).
 * 200 `{ ok, message, ms }`: `ok: false` when the check ran and found something wrong; 422 when
 * the config itself is invalid; 400 for a node that has no connection.
 */
import { Hono } from 'hono';
import { type PipelineDocument, paramValues, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { operatorEntry } from '@sluice/nodes/operators';
import { MemoryStateRegistry } from '@sluice/nodes/sdk';
import { compilePipeline } from '../../compile/compile-pipeline.js';
import type { PlanNode } from '../../compile/plan.js';
import { operatorContext } from '../../runtime/operator-context.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError, optionalJsonObject } from '../errors.js';
import { checkId, findPipeline } from '../lookup.js';

/** Beyond this a check is abandoned (the checks bound themselves to 5 s). */
const CHECK_TIMEOUT_MS = 10_000;

export function connectionCheckRoutes(o: { store: PipelineStore }): Hono {
  return new Hono().post('/:id/nodes/:nodeId/check', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const nodeId = c.req.param('nodeId');
    checkId('node', nodeId);
    const stored = p.document.nodes.find((n) => n.id === nodeId);
    if (!stored) throw new ApiError(404, 'not-found', `pipeline "${p.id}" has no node "${nodeId}"`);
    const entry = operatorEntry(stored.type);
    if (!entry?.check) throw new ApiError(400, 'not-checkable', `node "${nodeId}" is a ${stored.type}: only connectors have a connection to check`);
    const body = await optionalJsonObject(c);
    const config = body.config ?? stored.config;

    // Validated alone, as a deploy validates it (the rest of the graph does not matter here).
    const single: PipelineDocument = { format: 'sluice/v1', ...(p.document.params ? { params: p.document.params } : {}), nodes: [{ id: nodeId, type: stored.type, config: config as Record<string, unknown> }], edges: [] };
    const problems = validateDocument(single, nodeDefinitions).diagnostics.filter((d) => d.severity === 'error' && d.nodeId === nodeId);
    const compiled = problems.length === 0 ? compilePipeline(single).document : undefined;
    if (!compiled) throw new ApiError(422, 'invalid-config', `node "${nodeId}" has an invalid config; fix it to check its connection`, problems);

    const node: PlanNode = { ...(compiled.nodes[0] as unknown as PlanNode), def: nodeDefinitions.get(stored.type)!, connectedOutputs: new Set() };
    const started = performance.now();
    const done = (ok: boolean, message: string) => c.json({ ok, message, ms: Math.round(performance.now() - started) });
    try {
      const ctx = operatorContext(node, new MemoryStateRegistry(), { baseDir: p.baseDir, params: paramValues(compiled), now: Date.now });
      const message = await withTimeout(entry.check(ctx as never), CHECK_TIMEOUT_MS);
      return done(true, message);
    } catch (err) {
      return done(false, (err as Error).message.replace(new RegExp(`^${nodeId}: `), ''));
    }
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the check did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
