/**
 * `/api/pipelines`: the stored documents. A body must be a document's shape to be stored; it
 * may still have errors (a draft the editor saves as you go): the response carries `valid`
 * and every diagnostic. Deploying is where an invalid document is refused.
 */
import { deletePinned } from '../../pinned/pinned-samples.js';
import { Hono } from 'hono';
import { resolve } from 'node:path';
import {
  type Diagnostic,
  diffDocuments,
  type PipelineDocument,
  type PipelineSummary,
  type StoredPipeline,
  validateDocument,
} from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { AuditLog } from '../../audit/audit-log.js';
import { principalOf } from '../../auth/principal.js';
import type { DeploymentManager } from '../../deployments/deployment-manager.js';
import { missingInputs } from '../../deployments/input-files.js';
import type { Recorder } from '../../recording/recorder.js';
import { DRAFT_ACTION, PIPELINE_ID, type PipelineStore } from '../../store/pipeline-store.js';
import { redactDeep } from '../../secrets/redact.js';
import { audit } from '../audit-trail.js';
import { ApiError, jsonBody } from '../errors.js';
import { findPipeline } from '../lookup.js';
import { FILE_NAME } from './files.js';

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

/**
 * Input files the document reads that are not there (a deploy's 422 `input-missing`); for a
 * pipeline in the upload folder, the message says how to put the file there.
 */
export function inputDiagnostics(stored: StoredPipeline, document: PipelineDocument, filesDir: string): Diagnostic[] {
  const inUploads = resolve(stored.baseDir) === resolve(filesDir);
  // Uploads take plain names only: a path into a subfolder gets no hint it could not follow.
  const uploadHint = (path: string) =>
    FILE_NAME.test(path) ? `upload it with PUT /api/files/${path}` : `put it at that path under the server's files folder`;
  return missingInputs(document, stored.baseDir, nodeDefinitions, inUploads ? { uploadHint } : {});
}

/**
 * The stored document's diagnostics, with the server's own policy added: paths outside the
 * allowed folders (errors), input files not there yet (warnings here: a draft may name a file
 * still to be uploaded; a deploy refuses it, 422 input-missing).
 */
export function diagnose(stored: StoredPipeline, deployments: DeploymentManager, filesDir: string) {
  const r = validateDocument(stored.document, nodeDefinitions);
  if (!r.document) return { valid: r.ok, diagnostics: r.diagnostics };
  const policy = deployments.policyDiagnostics(stored, r.document);
  const refused = new Set(policy.map((d) => `${d.nodeId} ${d.path}`));
  const inputs = inputDiagnostics(stored, r.document, filesDir)
    .filter((d) => !refused.has(`${d.nodeId} ${d.path}`))
    .map((d) => ({ ...d, severity: 'warning' as const }));
  const diagnostics = [...r.diagnostics, ...policy, ...inputs];
  return { valid: !diagnostics.some((d) => d.severity === 'error'), diagnostics };
}

export function pipelineRoutes(o: PipelineRoutesOptions): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const list = await o.store.list();
    return c.json({
      pipelines: list.map(
        (p): PipelineSummary => ({
          id: p.id,
          name: p.document.name ?? p.id,
          description: p.document.description,
          version: p.version,
          updatedAt: p.updatedAt,
          nodes: p.document.nodes.length,
          status: o.deployments.status(p.id).status,
        }),
      ),
    });
  });

  app.post('/', async (c) => {
    const sent = readDocument(await jsonBody(c));
    const { diagnostics, valid } = sent;
    const wanted = sent.document.id ?? slug(sent.document.name ?? 'pipeline');
    if (!PIPELINE_ID.test(wanted))
      throw new ApiError(422, 'invalid-id', `pipeline ids match [a-z0-9][a-z0-9-]{0,63}; got ${JSON.stringify(wanted)}`);
    const action = c.req.query('action') === 'import' ? 'import' : 'create';
    // An import never replaces and never fails on a taken id: it takes the next free `<id>-N`,
    // as the editor does. A create says the id is taken.
    const id = action === 'import' ? await freeId(o.store, wanted) : wanted;
    if (action === 'create' && (await o.store.get(id)))
      throw new ApiError(
        409,
        'exists',
        `a pipeline "${id}" exists already; PUT /api/pipelines/${id} to change it, or POST /api/pipelines?action=import to store a copy under a fresh id`,
      );
    const document = id === sent.document.id || sent.document.id === undefined ? sent.document : { ...sent.document, id };
    // Everything that could fail is done before the store is written: an error stores nothing.
    const summary = [
      `${document.nodes.length} nodes, ${document.edges.length} edges`,
      ...(id !== wanted ? [`imported as ${id} ("${wanted}" is taken)`] : []),
    ];
    const stored = await o.store.put(id, document, { author: principalOf(c).name, action });
    await audit(c, o.audit, { action, pipelineId: id, version: stored.version, summary });
    return c.json({ pipeline: stored, valid, diagnostics }, 201, { location: `/api/pipelines/${id}` });
  });

  app.get('/:id', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    return c.json({ pipeline: p, ...diagnose(p, o.deployments, o.store.defaultBaseDir), status: o.deployments.status(p.id).status });
  });

  // The document as stored, to import elsewhere: it holds `${env:NAME}` references, never their
  // values; masking is applied anyway, so a secret pasted into a field does not leave this way.
  app.get('/:id/export', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    return c.json(redactDeep({ ...p.document, id: p.id }), 200, { 'content-disposition': `attachment; filename="${p.id}.json"` });
  });

  app.put('/:id', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const { document, diagnostics, valid } = readDocument(await jsonBody(c));
    const note = c.req.query('note');
    // The editor's autosave keeps one draft version per author until a Save, deploy, import or rollback.
    const draft = c.req.query('draft') === 'true';
    const summary = diffDocuments(p.document, document).summary;
    const action = draft ? DRAFT_ACTION : 'save';
    const stored = await o.store.put(p.id, document, {
      author: principalOf(c).name,
      action,
      ...(draft ? { amendDraft: true } : {}),
      ...(note ? { note: note.slice(0, 500) } : {}),
    });
    await audit(c, o.audit, { action, pipelineId: p.id, version: stored.version, summary });
    return c.json({ pipeline: stored, valid, diagnostics });
  });

  app.delete('/:id', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    await o.deployments.stop(p.id);
    await o.store.delete(p.id);
    await o.recorder.forget(p.id);
    // Pinned samples are data, not graph (docs/pinned-samples.md): they go with the pipeline.
    await deletePinned(p);
    await audit(c, o.audit, { action: 'delete', pipelineId: p.id, version: p.version });
    return c.json({ deleted: p.id });
  });

  // What the server recorded of the pipeline's sources, gone at once (docs/privacy.md); a
  // running pipeline goes on recording unless its document turns recording off.
  app.delete('/:id/recording', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    await o.recorder.forget(p.id);
    await audit(c, o.audit, { action: 'delete-recording', pipelineId: p.id, version: p.version });
    return c.json({ pipeline: p.id, deleted: 'recording' as const });
  });

  return app;
}

/** `id`, or the first of `id-2`, `id-3`, ... that no pipeline has (cut to stay within 64 characters). */
async function freeId(store: PipelineStore, id: string): Promise<string> {
  if (!(await store.get(id))) return id;
  for (let n = 2; ; n++) {
    const candidate = `${id.slice(0, 63 - String(n).length).replace(/-+$/, '')}-${n}`;
    if (!(await store.get(candidate))) return candidate;
  }
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
