/** Pipelines: the stored documents, their versions, validation, deploy/stop/status. */
import { Hono } from 'hono';
import { diffDocuments, type PipelineDocument, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { DeployError, type DeploymentManager } from '../../deployments/deployment-manager.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError, jsonBody } from '../errors.js';
import { liveRoutes } from './live.js';

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface PipelineRoutesOptions {
  store: PipelineStore;
  deployments: DeploymentManager;
  dataDir: string;
}

export function pipelineRoutes(o: PipelineRoutesOptions): Hono {
  const app = new Hono();
  const author = (c: { req: { header(name: string): string | undefined } }) => c.req.header('x-sluice-user') ?? 'anonymous';
  const found = async (id: string) => {
    if (!ID.test(id)) throw new ApiError(400, 'invalid-id', `pipeline ids match [a-z0-9][a-z0-9-]{0,63}; got ${JSON.stringify(id)}`);
    const p = await o.store.get(id);
    if (!p) throw new ApiError(404, 'not-found', `no pipeline "${id}"`);
    return p;
  };
  /** A body must at least be a document's shape to be stored; it may still have errors (a draft). */
  const readDocument = async (body: unknown) => {
    const r = validateDocument(body, nodeDefinitions);
    const refused = r.document === undefined || r.diagnostics.some((d) => ['unsupported-format', 'too-large'].includes(d.code));
    if (refused)
      throw new ApiError(422, 'invalid-document', 'not a pipeline document', r.diagnostics);
    return { document: body as PipelineDocument, diagnostics: r.diagnostics, valid: r.ok };
  };

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
    const { document, diagnostics, valid } = await readDocument(await jsonBody(c));
    const id = document.id ?? slug(document.name ?? 'pipeline');
    if (!ID.test(id)) throw new ApiError(422, 'invalid-id', `pipeline ids match [a-z0-9][a-z0-9-]{0,63}; got ${JSON.stringify(id)}`);
    if (await o.store.get(id)) throw new ApiError(409, 'exists', `a pipeline "${id}" exists already; PUT /api/pipelines/${id} to change it`);
    const stored = await o.store.put(id, document, { author: author(c), action: 'create', baseDir: o.dataDir });
    return c.json({ pipeline: stored, valid, diagnostics }, 201);
  });

  app.get('/:id', async (c) => {
    const p = await found(c.req.param('id'));
    const r = validateDocument(p.document, nodeDefinitions);
    return c.json({ pipeline: p, valid: r.ok, diagnostics: r.diagnostics, status: o.deployments.status(p.id).status });
  });

  app.put('/:id', async (c) => {
    const p = await found(c.req.param('id'));
    const { document, diagnostics, valid } = await readDocument(await jsonBody(c));
    const stored = await o.store.put(p.id, document, { author: author(c), action: 'save' });
    return c.json({ pipeline: stored, valid, diagnostics });
  });

  app.delete('/:id', async (c) => {
    const p = await found(c.req.param('id'));
    await o.deployments.stop(p.id);
    await o.store.delete(p.id);
    return c.json({ deleted: p.id });
  });

  app.get('/:id/versions', async (c) => {
    const p = await found(c.req.param('id'));
    return c.json({ versions: await o.store.versions(p.id) });
  });

  app.get('/:id/versions/:v', async (c) => {
    const p = await found(c.req.param('id'));
    const v = Number(c.req.param('v'));
    const doc = Number.isInteger(v) ? await o.store.getVersion(p.id, v) : undefined;
    if (!doc) throw new ApiError(404, 'not-found', `pipeline "${p.id}" has no version ${c.req.param('v')}`);
    return c.json({ version: v, document: doc });
  });

  app.get('/:id/versions/:a/diff/:b', async (c) => {
    const p = await found(c.req.param('id'));
    const [a, b] = [Number(c.req.param('a')), Number(c.req.param('b'))];
    const [da, db] = await Promise.all([o.store.getVersion(p.id, a), o.store.getVersion(p.id, b)]);
    if (!da || !db) throw new ApiError(404, 'not-found', `pipeline "${p.id}" has no version ${!da ? c.req.param('a') : c.req.param('b')}`);
    return c.json({ from: a, to: b, diff: diffDocuments(da, db) });
  });

  app.post('/:id/validate', async (c) => {
    const p = await found(c.req.param('id'));
    const r = validateDocument(p.document, nodeDefinitions);
    return c.json({ valid: r.ok, diagnostics: r.diagnostics });
  });

  app.post('/:id/deploy', async (c) => {
    const p = await found(c.req.param('id'));
    const text = await c.req.text();
    let params: Record<string, unknown> = {};
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new ApiError(400, 'malformed-json', `the body is not valid JSON: ${(err as Error).message}`);
      }
      params = ((body as { params?: Record<string, unknown> }).params ?? {}) as Record<string, unknown>;
    }
    try {
      const h = await o.deployments.deploy(p.id, params, author(c));
      return c.json({ status: h.status(), engine: o.deployments.runnerKind });
    } catch (err) {
      if (err instanceof DeployError) {
        const status = err.code === 'invalid-document' ? 422 : err.code === 'not-found' ? 404 : 500;
        throw new ApiError(status, err.code, err.message, err.diagnostics.length > 0 ? err.diagnostics : undefined);
      }
      throw err;
    }
  });

  app.post('/:id/stop', async (c) => {
    const p = await found(c.req.param('id'));
    const status = await o.deployments.stop(p.id);
    if (status === undefined) throw new ApiError(409, 'not-deployed', `pipeline "${p.id}" is not deployed`);
    return c.json({ status });
  });

  app.get('/:id/status', async (c) => {
    const p = await found(c.req.param('id'));
    return c.json(o.deployments.status(p.id));
  });

  app.route('/', liveRoutes({ deployments: o.deployments, exists: found }));
  return app;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'pipeline';
}
