/** `/api/pipelines/:id/versions`: every saved version, one version's document, a diff of two. */
import { Hono } from 'hono';
import { diffDocuments } from '@sluice/shared';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError } from '../errors.js';
import { findPipeline } from '../lookup.js';

function versionNumber(raw: string): number {
  const v = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || v < 1) throw new ApiError(400, 'invalid-version', `versions are whole numbers from 1; got ${JSON.stringify(raw)}`);
  return v;
}

export function versionRoutes(o: { store: PipelineStore }): Hono {
  const app = new Hono();

  app.get('/:id/versions', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    return c.json({ current: p.version, versions: await o.store.versions(p.id) });
  });

  app.get('/:id/versions/:v', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const v = versionNumber(c.req.param('v'));
    const document = await o.store.getVersion(p.id, v);
    if (!document) throw new ApiError(404, 'not-found', `pipeline "${p.id}" has no version ${v}`);
    const info = (await o.store.versions(p.id)).find((x) => x.version === v);
    return c.json({ ...info, version: v, document });
  });

  app.get('/:id/versions/:a/diff/:b', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const [a, b] = [versionNumber(c.req.param('a')), versionNumber(c.req.param('b'))];
    const [da, db] = await Promise.all([o.store.getVersion(p.id, a), o.store.getVersion(p.id, b)]);
    if (!da || !db) throw new ApiError(404, 'not-found', `pipeline "${p.id}" has no version ${!da ? a : b}`);
    return c.json({ from: a, to: b, diff: diffDocuments(da, db) });
  });

  return app;
}
