/**
 * `/api/pipelines/:id/versions`: every saved version, one version's document, a diff of two;
 * rollback to any version (a new version with that content, deployed again when the pipeline is
 * deployed or its last run completed).
 */
import { Hono } from 'hono';
import { diffDocuments, type VersionDiff } from '@sluice/shared';
import type { AuditLog } from '../../audit/audit-log.js';
import { principalOf } from '../../auth/principal.js';
import { DeployError, type DeploymentManager } from '../../deployments/deployment-manager.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { audit } from '../audit-trail.js';
import { ApiError, jsonBody } from '../errors.js';
import { findPipeline } from '../lookup.js';
import { caseAnswer } from '../../pipeline-tests/format-report.js';
import { deployGate, requiresTests } from '../../pipeline-tests/stored-cases.js';

function versionNumber(raw: string): number {
  const v = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || v < 1)
    throw new ApiError(400, 'invalid-version', `versions are whole numbers from 1; got ${JSON.stringify(raw)}`);
  return v;
}

export function versionRoutes(o: { store: PipelineStore; deployments: DeploymentManager; audit: AuditLog }): Hono {
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
    const answer: VersionDiff = { from: a, to: b, diff: diffDocuments(da, db) };
    return c.json(answer);
  });

  app.post('/:id/rollback', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const body = await jsonBody(c);
    const raw = (body as { version?: unknown } | null)?.version;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1)
      throw new ApiError(400, 'invalid-body', 'expected { "version": <a version number from 1> }');
    const document = await o.store.getVersion(p.id, raw);
    if (!document) throw new ApiError(404, 'not-found', `pipeline "${p.id}" has no version ${raw}`);
    const who = principalOf(c).name;
    // Deployed, or its last run here completed (a bounded pipeline): run the restored version.
    const ran = o.deployments.status(p.id).status === 'completed';
    const redeploys = ran || (await o.store.getDeployment(p.id)) !== null;
    // settings.requireTestsOnDeploy gates a rollback that deploys like a deploy (docs/pipeline-tests.md):
    // the restored version must pass today's cases, required by it or by the version it replaces.
    if (redeploys) {
      const gate = await deployGate({ ...p, document }, {}, { required: requiresTests(p.document), what: 'rollback' });
      if (!gate.ok)
        throw new ApiError(409, 'tests-failed', gate.reason, gate.suite.cases.filter((t) => t.status !== 'passed').map(caseAnswer));
    }
    const stored = await o.store.put(p.id, document, { author: who, action: 'rollback', note: `rollback to version ${raw}` });
    const summary = [`rollback to version ${raw}`, ...diffDocuments(p.document, document).summary];
    let deployed = false;
    if (redeploys) {
      try {
        await o.deployments.deploy(p.id, {}, who);
        deployed = true;
      } catch (err) {
        if (err instanceof DeployError)
          throw new ApiError(
            err.code === 'invalid-document' ? 422 : 500,
            err.code,
            `version ${raw} was restored as version ${stored.version} but not deployed: ${err.message}`,
            err.diagnostics.length > 0 ? err.diagnostics : undefined,
          );
        throw err;
      }
    }
    const current = deployed ? ((await o.store.get(p.id)) ?? stored) : stored;
    await audit(c, o.audit, { action: 'rollback', pipelineId: p.id, version: current.version, summary });
    return c.json({ pipeline: current, version: current.version, deployed });
  });

  return app;
}
