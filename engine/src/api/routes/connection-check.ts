/**
 * `POST /api/pipelines/:id/nodes/:nodeId/check`: "Check connection" for a connector node
 * (connectors/check-node.ts). The body may carry the editor's unsaved `config`; otherwise the
 * stored node's is checked. 200 `{ ok, message, ms }`: `ok: false` when the check ran and found
 * something wrong; 422 when the config itself is invalid; 400 for a node that has no connection.
 */
import { Hono } from 'hono';
import { checkNode } from '../../connectors/check-node.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError, optionalJsonObject } from '../errors.js';
import { checkId, findPipeline } from '../lookup.js';

export function connectionCheckRoutes(o: { store: PipelineStore }): Hono {
  return new Hono().post('/:id/nodes/:nodeId/check', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const nodeId = c.req.param('nodeId');
    checkId('node', nodeId);
    const stored = p.document.nodes.find((n) => n.id === nodeId);
    if (!stored) throw new ApiError(404, 'not-found', `pipeline "${p.id}" has no node "${nodeId}"`);
    const body = await optionalJsonObject(c);
    const config = (body.config ?? stored.config) as Record<string, unknown>;
    const r = await checkNode({ ...stored, config }, { ...(p.document.params ? { params: p.document.params } : {}), baseDir: p.baseDir });
    if (r.kind === 'not-checkable')
      throw new ApiError(400, 'not-checkable', `node "${nodeId}" is a ${stored.type}: only connectors have a connection to check`);
    if (r.kind === 'invalid')
      throw new ApiError(422, 'invalid-config', `node "${nodeId}" has an invalid config; fix it to check its connection`, r.diagnostics);
    return c.json({ ok: r.ok, message: r.message, ms: r.ms });
  });
}
