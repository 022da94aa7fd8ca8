/** The audit log: `/api/audit` (every pipeline, filterable) and `/api/pipelines/:id/audit`. */
import { Hono } from 'hono';
import type { AuditLog } from '../../audit/audit-log.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError } from '../errors.js';
import { checkId } from '../lookup.js';

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 200;
  const n = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || n < 1 || n > 10_000)
    throw new ApiError(400, 'invalid-query', `"limit" must be a whole number from 1 to 10000; got ${JSON.stringify(raw)}`);
  return n;
}

export function auditRoutes(o: { audit: AuditLog }): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const pipelineId = c.req.query('pipeline');
    if (pipelineId !== undefined) checkId('pipeline', pipelineId);
    return c.json({ entries: await o.audit.list({ limit: limitOf(c.req.query('limit')), ...(pipelineId ? { pipelineId } : {}) }) });
  });
  return app;
}

/**
 * Mounted under /api/pipelines: an existing or deleted pipeline's entries both stay readable; a
 * pipeline that is not stored and never left an entry is a 404, as on every per-pipeline route.
 */
export function pipelineAuditRoutes(o: { audit: AuditLog; store: PipelineStore }): Hono {
  const app = new Hono();
  app.get('/:id/audit', async (c) => {
    const id = c.req.param('id');
    checkId('pipeline', id);
    const entries = await o.audit.list({ pipelineId: id, limit: limitOf(c.req.query('limit')) });
    if (entries.length === 0 && !(await o.store.get(id))) throw new ApiError(404, 'not-found', `no pipeline "${id}"`);
    return c.json({ entries });
  });
  return app;
}
