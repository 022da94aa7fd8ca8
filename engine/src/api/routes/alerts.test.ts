/**
 * Alert rules through the API: saved with the document, refused at save when they name what
 * is not there, and served as a Prometheus rule file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeTestApis, generatorDoc, testApi } from '../test-support.js';

afterEach(closeTestApis);

const withAlerts = (rules: unknown[]) => {
  const doc = generatorDoc() as Record<string, unknown> & { nodes: { id: string }[] };
  return {
    ...doc,
    alerts: { rules, targets: [{ id: 'ops', type: 'webhook', url: 'https://hooks.example.com/sluice', signingSecret: 'OPS_HOOK_KEY' }] },
  };
};

describe('alert rules in the API', () => {
  it("serves a saved pipeline's rules as a Prometheus rule file", async () => {
    const api = testApi();
    const doc = withAlerts([]);
    const node = doc.nodes[0]!.id;
    doc.alerts.rules = [{ id: 'slow', node, when: 'rate_below', value: 5, for: '2m', notify: ['ops'] }];
    const saved = await api.call('POST', '/api/pipelines', doc);
    expect(saved.status, saved.text).toBe(201);
    const id = (saved.json.pipeline as { id: string }).id;
    const r = await api.call('GET', `/api/pipelines/${id}/alerts.yml`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/yaml');
    expect(r.text).toContain(`- alert: Sluice_${id.replace(/-/g, '_')}_slow`);
    expect(r.text).toContain(`expr: "sum(rate(sluice_node_events_in_total{pipeline=\\"${id}\\",node=\\"${node}\\"}[1m])) < 5"`);
    expect(r.text).toContain('for: 2m');
  });

  it('names every rule that points at what is not there (the draft is kept, invalid, and cannot deploy)', async () => {
    const api = testApi();
    const doc = withAlerts([
      { id: 'a', node: 'nope', when: 'rate_below', value: 1 },
      { id: 'b', edge: 'e1', when: 'error_ratio_above', value: 0.5 },
      { id: 'c', node: 'nope', when: 'error_ratio_above', value: 2, notify: ['pager'] },
      { id: 'a', node: 'x', edge: 'e1', when: 'backlog_growing', value: 3 },
    ]);
    const r = await api.call('POST', '/api/pipelines', doc);
    expect(r.status).toBe(201);
    expect(r.json.valid).toBe(false);
    const found = (r.json.diagnostics as { path: string; message: string }[]).filter((d) => d.path?.startsWith('alerts'));
    expect(found.map((d) => `${d.path}: ${d.message}`).sort()).toEqual(
      [
        'alerts.rules[0].node: "nope" is not a node of this document',
        'alerts.rules[1].when: error_ratio_above watches a node; an edge has a rate, share_above and count_above',
        'alerts.rules[2].node: "nope" is not a node of this document',
        'alerts.rules[2].value: an error ratio is between 0 and 1 (2 given)',
        'alerts.rules[2].notify[0]: "pager" is not one of alerts.targets',
        'alerts.rules[3].id: two alert rules have the id "a"',
        'alerts.rules[3]: an alert rule watches one node or one edge: set node or edge',
        'alerts.rules[3].node: "x" is not a node of this document',
        'alerts.rules[3].when: backlog_growing watches a node; an edge has a rate, share_above and count_above',
        'alerts.rules[3].value: backlog_growing takes no value',
      ].sort(),
    );
    const rules = await api.call('GET', '/api/pipelines/live/alerts.yml');
    expect(rules.status).toBe(422);
    expect(rules.text).toContain('the saved document does not validate');
  });
});
