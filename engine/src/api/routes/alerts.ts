/**
 * `/api/pipelines/:id/alerts.yml`: the pipeline's alert rules (its document's `alerts`
 * section, docs/alerts.md) as a Prometheus rule file, for users who alert from Prometheus.
 */
import { Hono } from 'hono';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { prometheusRules } from '../../alerts/prometheus-rules.js';
import { compilePipeline } from '../../compile/compile-pipeline.js';
import { buildPlan } from '../../compile/plan.js';
import { RUN_DEFAULTS } from '../../runners/runner.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { ApiError } from '../errors.js';
import { findPipeline } from '../lookup.js';

export function alertRoutes(o: { store: PipelineStore }): Hono {
  const app = new Hono();
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
