/**
 * `/api/pipelines/:id/alerts`: the state of the pipeline's alert rules (its document's `alerts`
 * section, docs/alerts.md); `.../alerts.yml`: the rules as a Prometheus rule file.
 */
import { Hono } from 'hono';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { AlertEvaluator } from '../../alerts/alert-evaluator.js';
import { prometheusRules } from '../../alerts/prometheus-rules.js';
import { compilePipeline } from '../../compile/compile-pipeline.js';
import { buildPlan } from '../../compile/plan.js';
import { RUN_DEFAULTS } from '../../runners/runner.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError } from '../errors.js';
import { findPipeline } from '../lookup.js';

export function alertRoutes(o: { store: PipelineStore; alerts?: AlertEvaluator }): Hono {
  const app = new Hono();
  // Each rule's state on this server: ok, pending or firing (docs/alerts.md).
  app.get('/:id/alerts', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    if (!o.alerts) {
      const rules = p.document.alerts?.rules ?? [];
      return c.json({
        evaluated: false,
        alerts: rules.map((r) => ({
          rule: r.id,
          name: r.name ?? r.id,
          ...(r.node !== undefined ? { node: r.node } : {}),
          ...(r.edge !== undefined ? { edge: r.edge } : {}),
          state: 'ok',
        })),
      });
    }
    return c.json({ evaluated: true, alerts: await o.alerts.view(p.id) });
  });
  app.get('/:id/alerts.yml', async (c) => {
    const p = await findPipeline(o.store, c.req.param('id'));
    const { document, diagnostics } = compilePipeline(p.document);
    if (!document) {
      const first = diagnostics.find((d) => d.severity === 'error');
      throw new ApiError(422, 'invalid-document', `the saved document does not validate: ${first?.message ?? 'see POST .../validate'}`);
    }
    // Stage labels as /metrics gives them for a run with the default partitions.
    const plan = buildPlan(document, nodeDefinitions, { partitions: RUN_DEFAULTS.partitions });
    c.header('content-type', 'application/yaml; charset=utf-8');
    c.header('content-disposition', `attachment; filename="${p.id}-alerts.yml"`);
    return c.body(prometheusRules(p.id, document, plan));
  });
  return app;
}
