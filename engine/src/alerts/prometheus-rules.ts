/**
 * GET /api/pipelines/:id/alerts.yml: a document's alert rules as a Prometheus rule file, for
 * users who alert from Prometheus (it scrapes /metrics). One group per pipeline; every rule
 * carries the pipeline, the rule id and the severity as labels. Checked with `promtool check
 * rules` and `promtool test rules` in prometheus-rules.test.ts.
 */
import { type AlertRule, alertForMs, isDataRule, type PipelineDocument } from '@sluice/shared';
import type { Plan } from '../compile/plan.js';
import { describeCondition, promQuery } from './alert-queries.js';

/** Alert names must be metric-name-like: `SluiceFraud_per_card_slow`. */
export function alertName(pipeline: string, r: AlertRule): string {
  return `Sluice_${pipeline}_${r.id}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The stage label (`<type>:<first node>`, as /metrics writes it) of the stage holding `node`. */
export function stageOf(plan: Plan, node: string): string | undefined {
  const n = plan.nodes.get(node);
  if (!n) return undefined;
  const stage = plan.stages[n.stage];
  const head = stage?.nodes[0];
  const type = head === undefined ? undefined : plan.nodes.get(head)?.type;
  return head === undefined || type === undefined ? undefined : `${type}:${head}`;
}

function duration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** JSON strings are YAML strings: every value below is written that way (no YAML escaping rules to get wrong). */
const y = (s: string) => JSON.stringify(s);

export function prometheusRules(pipelineId: string, doc: PipelineDocument, plan: Plan): string {
  const lines = [
    `# Prometheus alerting rules for Sluice pipeline ${pipelineId}, generated from its document's alerts section.`,
    '# Load with `rule_files:` in prometheus.yml; /metrics serves every series named here (docs/alerts.md).',
    'groups:',
    `  - name: ${y(`sluice-${pipelineId}`)}`,
    '    rules:',
  ];
  const all = doc.alerts?.rules ?? [];
  const rules = all.filter((r) => !isDataRule(r));
  const serverOnly = all.filter(isDataRule);
  // Said at the top, where a reader of the file looks: a comment inside the list would be lost on a YAML round trip.
  if (serverOnly.length > 0)
    lines.splice(
      2,
      0,
      `# Not here: ${serverOnly.map((r) => `${r.id} (${r.when})`).join(', ')}. A data rule counts the events its \`where\` matches,`,
      '# which no /metrics series does: the Sluice server evaluates it (GET /api/pipelines/:id/alerts).',
    );
  if (rules.length === 0) lines[lines.length - 1] = '    rules: []';
  for (const r of rules) {
    const stage = r.node !== undefined ? stageOf(plan, r.node) : undefined;
    lines.push(
      `      - alert: ${alertName(pipelineId, r)}`,
      `        expr: ${y(promQuery(pipelineId, r, stage) ?? '')}`,
      `        for: ${duration(alertForMs(r))}`,
      '        labels:',
      `          pipeline: ${y(pipelineId)}`,
      `          sluice_rule: ${y(r.id)}`,
      `          severity: ${y(r.severity ?? 'warning')}`,
      '        annotations:',
      `          summary: ${y(r.name ?? `${pipelineId}: ${describeCondition(r)}`)}`,
      `          description: ${y(`${describeCondition(r)} for ${duration(alertForMs(r))} (pipeline ${pipelineId}, rule ${r.id}).`)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
