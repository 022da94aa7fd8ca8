/**
 * A document's alert rules as a Prometheus rule file: promtool accepts it, and promtool's own
 * rule unit tests, over hand-written series, fire each alert when (and only when) its
 * condition has held for its `for`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { afterAll, describe, expect, it } from 'vitest';
import { promtool } from '../api/promtool-support.js';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { buildPlan } from '../compile/plan.js';
import { prometheusRules, stageOf } from './prometheus-rules.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-alert-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DOC = {
  format: 'sluice/v1',
  id: 'p',
  nodes: [
    { id: 'gen', type: 'source.generator', config: { scenario: 'transactions', rate: 100 } },
    { id: 'big', type: 'filter', config: { expression: 'amount > 100' } },
    {
      id: 'per_card',
      type: 'window',
      config: { type: 'tumbling', size: '1m', keyBy: ['card_id'], aggregates: [{ as: 'n', op: 'count' }] },
    },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'gen', target: 'big' },
    { id: 'e2', source: 'big', target: 'per_card' },
    { id: 'e3', source: 'per_card', target: 'out' },
  ],
  alerts: {
    rules: [
      { id: 'slow_source', name: 'Card feed slowed down', node: 'gen', when: 'rate_below', value: 5, for: '2m', severity: 'critical' },
      { id: 'bad_amounts', name: 'Amounts failing', node: 'big', when: 'error_ratio_above', value: 0.1, for: '1m' },
      { id: 'windows_behind', name: 'Windows behind', node: 'per_card', when: 'watermark_lag_above', value: 30, for: '1m' },
      { id: 'backlog', name: 'Backlog growing', node: 'per_card', when: 'backlog_growing', for: '3m' },
      { id: 'edge_quiet', name: 'Nothing reaches the filter', edge: 'e1', when: 'rate_below', value: 1, for: '1m' },
      // A data rule: no /metrics series counts what its `where` matches, so no Prometheus rule.
      { id: 'big_share', edge: 'e1', when: 'share_above', where: 'amount > 1000', value: 0.05 },
    ],
  },
};

function rules(): string {
  const { document, diagnostics } = compilePipeline(DOC);
  if (!document) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return prometheusRules('p', document, buildPlan(document, nodeDefinitions, { partitions: 2 }));
}

/** promtool rule tests, hand-written: each series and when its alert must (not) be firing. */
const TESTS = `
rule_files:
  - rules.yml
evaluation_interval: 1m
tests:
  - name: rate_below on a node fires once the rate held under 5/s for 2m
    interval: 15s
    input_series:
      # 10 events/s for 3 minutes (150 per 15 s), then 1 event/s.
      - series: 'sluice_node_events_in_total{pipeline="p",node="gen"}'
        values: '0+150x12 1815+15x40'
    alert_rule_test:
      # Under 5/s from the 4m evaluation: pending at 4m and 5m, firing from 6m.
      - { alertname: Sluice_p_slow_source, eval_time: 5m }
      - alertname: Sluice_p_slow_source
        eval_time: 7m
        exp_alerts:
          - exp_labels: { pipeline: p, sluice_rule: slow_source, severity: critical }
            exp_annotations:
              summary: Card feed slowed down
              description: "events per second on node gen below 5 for 2m (pipeline p, rule slow_source)."
  - name: error_ratio_above fires at 20 % failing against 10 %
    interval: 15s
    input_series:
      - series: 'sluice_node_events_in_total{pipeline="p",node="big"}'
        values: '0+100x40'
      - series: 'sluice_node_errors_total{pipeline="p",node="big"}'
        values: '0+20x40'
    alert_rule_test:
      - alertname: Sluice_p_bad_amounts
        eval_time: 3m
        exp_alerts:
          - exp_labels: { pipeline: p, sluice_rule: bad_amounts, severity: warning }
            exp_annotations:
              summary: Amounts failing
              description: "share of events failing on node big above 0.1 for 1m (pipeline p, rule bad_amounts)."
  - name: watermark_lag_above watches the stage that holds the node
    interval: 1m
    input_series:
      - series: 'sluice_stage_watermark_lag_seconds{pipeline="p",stage="window:per_card"}'
        values: '5 5 5 60 60 60 60 60'
    alert_rule_test:
      # 60 s behind from 3m: pending at 3m, firing from 4m.
      - { alertname: Sluice_p_windows_behind, eval_time: 3m }
      - alertname: Sluice_p_windows_behind
        eval_time: 5m
        exp_alerts:
          - exp_labels: { pipeline: p, sluice_rule: windows_behind, severity: warning }
            exp_annotations:
              summary: Windows behind
              description: "watermark of node per_card more than 30 s behind for 1m (pipeline p, rule windows_behind)."
  - name: backlog_growing fires after 3m of growth, not on a flat backlog
    interval: 30s
    input_series:
      # Flat at 10 for 3 minutes, then 10 more every 30 s.
      - series: 'sluice_stage_backlog_events{pipeline="p",stage="window:per_card"}'
        values: '10x6 20+10x12'
    alert_rule_test:
      - { alertname: Sluice_p_backlog, eval_time: 3m }
      # Growing from the 4m evaluation: firing from 7m.
      - { alertname: Sluice_p_backlog, eval_time: 6m }
      - alertname: Sluice_p_backlog
        eval_time: 8m
        exp_alerts:
          - exp_labels: { pipeline: p, stage: "window:per_card", sluice_rule: backlog, severity: warning }
            exp_annotations:
              summary: Backlog growing
              description: "backlog before node per_card growing for 3m (pipeline p, rule backlog)."
  - name: rate_below on an edge fires when nothing crosses it
    interval: 15s
    input_series:
      - series: 'sluice_edge_events_total{pipeline="p",edge="e1"}'
        values: '100x20'
    alert_rule_test:
      - alertname: Sluice_p_edge_quiet
        eval_time: 3m
        exp_alerts:
          - exp_labels: { pipeline: p, sluice_rule: edge_quiet, severity: warning }
            exp_annotations:
              summary: Nothing reaches the filter
              description: "events per second on edge e1 below 1 for 1m (pipeline p, rule edge_quiet)."
`;

describe('alert rules as Prometheus rules', () => {
  it('finds the stage label /metrics gives the node', () => {
    const { document } = compilePipeline(DOC);
    const plan = buildPlan(document!, nodeDefinitions, { partitions: 2 });
    expect(stageOf(plan, 'per_card')).toBe('window:per_card');
    expect(stageOf(plan, 'gen')).toBe('source.generator:gen');
  });

  it('passes promtool check rules', () => {
    writeFileSync(join(dir, 'rules.yml'), rules());
    const r = promtool(['check', 'rules', join(dir, 'rules.yml')]);
    expect(r.output, r.output).toContain('SUCCESS: 5 rules found');
    expect(r.status).toBe(0);
  });

  it('says which data rules it leaves out, at the top of the file', () => {
    const text = rules();
    expect(text.split('\n').slice(2, 4)).toEqual([
      '# Not here: big_share (share_above). A data rule counts the events its `where` matches,',
      '# which no /metrics series does: the Sluice server evaluates it (GET /api/pipelines/:id/alerts).',
    ]);
    expect(text).not.toContain('big_share"');
  });

  it("fires each alert as promtool's rule tests expect, on hand-written series", () => {
    writeFileSync(join(dir, 'rules.yml'), rules());
    writeFileSync(join(dir, 'tests.yml'), TESTS);
    const r = promtool(['test', 'rules', 'tests.yml'], { cwd: dir });
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });
});
