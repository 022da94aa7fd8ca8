/** Validate, deploy, stop, status of a stored pipeline. */
import { Hono } from 'hono';
import { diffDocuments, type PipelineDocument } from '@sluice/shared';
import type { AuditLog } from '../../audit/audit-log.js';
import { principalOf } from '../../auth/principal.js';
import { DeployError, type DeploymentManager, type RedeployReport } from '../../deployments/deployment-manager.js';
import type { Deployment, PipelineStore } from '../../store/pipeline-store.js';
import { redactDeep } from '../../secrets/redact.js';
import { caseAnswer } from '../../pipeline-tests/format-report.js';
import { deployGate } from '../../pipeline-tests/stored-cases.js';
import { audit } from '../audit-trail.js';
import { ApiError, optionalJsonObject } from '../errors.js';
import { findPipeline } from '../lookup.js';
import { diagnose } from './pipelines.js';

const DEPLOY_STATUS = { 'invalid-document': 422, 'not-found': 404, 'not-deployed': 409, 'start-failed': 500 } as const;

/** What a deploy changes compared with the deployment before it, in audit-log lines. */
export async function deploySummary(
  store: PipelineStore,
  id: string,
  before: Deployment | null,
  after: Deployment | null,
): Promise<string[]> {
  if (!after) return [];
  const docAfter = await store.getVersion(id, after.version);
  const docBefore = before ? await store.getVersion(id, before.version) : undefined;
  if (!docAfter) return [];
  if (!docBefore) return [`version ${after.version} deployed`];
  // Param values as deployed (overrides included), not only as saved.
  const withValues = (d: PipelineDocument, values: Deployment['params']): PipelineDocument => ({
    ...d,
    params: Object.fromEntries(
      Object.entries(d.params ?? {}).map(([k, p]) => [k, { ...p, value: values[k] ?? p.value }]),
    ) as PipelineDocument['params'],
  });
  const lines = diffDocuments(withValues(docBefore, before!.params), withValues(docAfter, after.params)).summary;
  return [`version ${before!.version} -> ${after.version}`, ...lines];
}

/** How the new version reached the running pipeline, in one audit line. */
function redeployLine(r: RedeployReport): string {
  if (r.mode === 'restart') return `restarted: ${r.reason}`;
  const reset = [...r.reset, ...r.added];
  return `swapped in without a restart; state kept: ${r.kept.join(', ') || 'none'}${reset.length > 0 ? `; started empty: ${reset.join(', ')}` : ''}`;
}

export function runRoutes(o: { store: PipelineStore; deployments: DeploymentManager; audit: AuditLog }): Hono {
  const app = new Hono();

  app.post('/:id/validate', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    return c.json(diagnose(p, o.deployments, o.store.defaultBaseDir));
  });

  app.post('/:id/deploy', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const body = await optionalJsonObject(c);
    const params = body.params ?? {};
    if (params === null || typeof params !== 'object' || Array.isArray(params))
      throw new ApiError(400, 'invalid-body', '"params" must be an object: { "params": { "name": value } }');
    // A missing input file is the user's to fix (422 naming node and path), not a run that
    // failed to start (500). Only for an otherwise deployable document: an invalid one, or a
    // path the policy refuses, is answered by the deploy itself (invalid-document, every diagnostic).
    const { diagnostics } = diagnose(p, o.deployments, o.store.defaultBaseDir);
    const missing = diagnostics.some((d) => d.severity === 'error')
      ? []
      : diagnostics.filter((d) => d.code === 'input-missing').map((d) => ({ ...d, severity: 'error' as const }));
    if (missing.length > 0)
      throw new ApiError(
        422,
        'input-missing',
        `pipeline "${p.id}" reads files that are not there: ${missing.map((d) => `${d.nodeId}: ${d.path}: ${d.message}`).join('; ')}`,
        missing,
      );
    // settings.requireTestsOnDeploy: the change must pass the pipeline's test cases (docs/pipeline-tests.md).
    const gate = await deployGate(p, params as Record<string, unknown>);
    if (!gate.ok)
      throw new ApiError(409, 'tests-failed', gate.reason, gate.suite.cases.filter((t) => t.status !== 'passed').map(caseAnswer));
    try {
      const before = await o.store.getDeployment(p.id);
      const { handle: h, redeploy } = await o.deployments.deployReporting(p.id, params as Record<string, unknown>, principalOf(c).name);
      const deployment = await o.store.getDeployment(p.id);
      const summary = [...(await deploySummary(o.store, p.id, before, deployment)), ...(redeploy ? [redeployLine(redeploy)] : [])];
      await audit(c, o.audit, { action: 'deploy', pipelineId: p.id, ...(deployment ? { version: deployment.version } : {}), summary });
      return c.json({ status: h.status(), engine: o.deployments.runnerKind, deployment, ...(redeploy ? { redeploy } : {}) });
    } catch (err) {
      if (err instanceof DeployError)
        throw new ApiError(DEPLOY_STATUS[err.code], err.code, err.message, err.diagnostics.length > 0 ? err.diagnostics : undefined);
      throw err;
    }
  });

  app.post('/:id/stop', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const stopped = await o.deployments.stop(p.id);
    if (stopped === undefined) throw new ApiError(409, 'not-deployed', `pipeline "${p.id}" is not deployed`);
    const { status, discarded } = stopped;
    // A stop that ran out of drain time says what it dropped (queued batches, their events).
    const summary = discarded
      ? `the 10 s drain ran out: ${discarded.batches} queued batches (${discarded.events} events) discarded`
      : undefined;
    await audit(c, o.audit, { action: 'stop', pipelineId: p.id, ...(summary ? { summary: [summary] } : {}) });
    return c.json(discarded ? { status, discarded } : { status });
  });

  app.get('/:id/status', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    // Viewers and business users read this: a run error that quotes a connection URL is masked.
    return c.json(
      redactDeep({ ...o.deployments.status(p.id), engine: o.deployments.runnerKind, deployment: await o.store.getDeployment(p.id) }),
    );
  });

  return app;
}
