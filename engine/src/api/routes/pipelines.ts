/**
 * `/api/pipelines`: the stored documents. A body must be a document's shape to be stored; it
 * may still have errors (a draft the editor saves as you go): the response carries `valid`
 * and every diagnostic. Deploying is where an invalid document is refused.
 */
import { Hono } from 'hono';
import { diffDocuments, type PipelineDocument, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { AuditLog } from '../../audit/audit-log.js';
import { principalOf } from '../../auth/principal.js';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import type { Recorder } from '../../recording/recorder.js';
import { PIPELINE_ID, type PipelineStore, type StoredPipeline } from '../../store/pipeline-store.js';
import { audit } from '../audit-trail.js';
import { ApiError, jsonBody } from '../errors.js';
import { findPipeline } from '../lookup.js';

export interface PipelineRoutesOptions {
  store: PipelineStore;
  deployments: DeploymentManager;
  audit: AuditLog;
  recorder: Recorder;
}

/** Codes that mean "this is not a document this build reads" rather than "a draft with errors". */
const NOT_A_DOCUMENT = new Set(['unsupported-format', 'too-large']);

export function readDocument(body: unknown) {
  const r = validateDocument(body, nodeDefinitions);
  if (r.document === undefined || r.diagnostics.some((d) => NOT_A_DOCUMENT.has(d.code)))
    throw new ApiError(422, 'invalid-document', 'the body is not a pipeline document', r.diagnostics);
  // Stored as sent (defaults stay implicit, as the author wrote them; r.document has them all),
  // but with `edges`, which the format defaults to []: it is the one default every reader of a
  // stored document (lists, diffs, the audit) walks, so it is made explicit once, at the door.
  const sent = body as PipelineDocument;
  const document = Array.isArray(sent.edges) ? sent : { ...sent, edges: [] };
  return { document, diagnostics: r.diagnostics, valid: r.ok };
}

/** The stored document's diagnostics, with the server's own policy (paths) added. */
export function diagnose(stored: StoredPipeline, deployments: DeploymentManager) {
  const r = validateDocument(stored.document, nodeDefinitions);
  const diagnostics = r.document ? [...r.diagnostics, ...deployments.policyDiagnostics(stored, r.document)] : r.diagnostics;
  return { valid: !diagnostics.some((d) => d.severity === 'error'), diagnostics };
}

export function pipelineRoutes(o: PipelineRoutesOptions): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const list = await o.store.list();
    return c.json({
      pipelines: list.map((p) => ({
        id: p.id,
        name: p.document.name ?? p.id,
        description: p.document.description,
        version: p.version,
        updatedAt: p.updatedAt,
        nodes: p.document.nodes.length,
        status: o.deployments.status(p.id).status,
      })),
    });
  });

  app.post('/', async (c) => {
    const { document, diagnostics, valid } = readDocument(await jsonBody(c));
    const id = document.id ?? slug(document.name ?? 'pipeline');
    if (!PIPELINE_ID.test(id)) throw new ApiError(422, 'invalid-id', `pipeline ids match [a-z0-9][a-z0-9-]{0,63}; got ${JSON.stringify(id)}`);
    if (await o.store.get(id)) throw new ApiError(409, 'exists', `a pipeline "${id}" exists already; PUT /api/pipelines/${id} to change it`);
    const action = c.req.query('action') === 'import' ? 'import' : 'create';
    // Everything that could fail is done before the store is written: an error stores nothing.
    const summary = [`${document.nodes.length} nodes, ${document.edges.length} edges`];
    const stored = await o.store.put(id, document, { author: principalOf(c).name, action });
    await audit(c, o.audit, { action, pipelineId: id, version: stored.version, summary });
    return c.json({ pipeline: stored, valid, diagnostics }, 201, { location: `/api/pipelines/${id}` });
  });

  app.get('/:id', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    return c.json({ pipeline: p, ...diagnose(p, o.deployments), status: o.deployments.status(p.id).status });
  });

  app.put('/:id', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const { document, diagnostics, valid } = readDocument(await jsonBody(c));
    const note = c.req.query('note');
    const summary = diffDocuments(p.document, document).summary;
    const stored = await o.store.put(p.id, document, { author: principalOf(c).name, action: 'save', ...(note ? { note: note.slice(0, 500) } : {}) });
    await audit(c, o.audit, { action: 'save', pipelineId: p.id, version: stored.version, summary });
    return c.json({ pipeline: stored, valid, diagnostics });
  });

  app.delete('/:id', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    await o.deployments.stop(p.id);
    await o.store.delete(p.id);
    await o.recorder.forget(p.id);
    await audit(c, o.audit, { action: 'delete', pipelineId: p.id, version: p.version });
    return c.json({ deleted: p.id });
  });

  return app;
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/, '') || 'pipeline'
  );
}
