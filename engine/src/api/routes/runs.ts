/** Validate, deploy, stop, status of a stored pipeline. */
import { Hono } from 'hono';
import { DeployError, type DeploymentManager } from '../../deployments/deployment-manager.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError, optionalJsonObject } from '../errors.js';
import { authorOf, findPipeline } from '../lookup.js';
import { diagnose } from './pipelines.js';

const DEPLOY_STATUS = { 'invalid-document': 422, 'not-found': 404, 'not-deployed': 409, 'start-failed': 500 } as const;

export function runRoutes(o: { store: PipelineStore; deployments: DeploymentManager }): Hono {
  const app = new Hono();

  app.post('/:id/validate', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    return c.json(diagnose(p, o.deployments));
  });

  app.post('/:id/deploy', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const body = await optionalJsonObject(c);
    const params = body.params ?? {};
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new ApiError(400, 'invalid-body', '"params" must be an object: { "params": { "name": value } }');
    try {
      const h = await o.deployments.deploy(p.id, params as Record<string, unknown>, authorOf(c));
      const deployment = await o.store.getDeployment(p.id);
      return c.json({ status: h.status(), engine: o.deployments.runnerKind, deployment });
    } catch (err) {
      if (err instanceof DeployError) throw new ApiError(DEPLOY_STATUS[err.code], err.code, err.message, err.diagnostics.length > 0 ? err.diagnostics : undefined);
      throw err;
    }
  });

  app.post('/:id/stop', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const status = await o.deployments.stop(p.id);
    if (status === undefined) throw new ApiError(409, 'not-deployed', `pipeline "${p.id}" is not deployed`);
    return c.json({ status });
  });

  app.get('/:id/status', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    return c.json({ ...o.deployments.status(p.id), engine: o.deployments.runnerKind, deployment: await o.store.getDeployment(p.id) });
  });

  return app;
}
