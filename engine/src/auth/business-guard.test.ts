/* biome-ignore-all lint/suspicious/noThenProperty: the agreed rules config shape calls a row's outputs `then` */
/** What a business user may change in a document, and what a deploy of theirs may override. */
import { validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';
import { pricingDoc } from './auth-fixtures.js';
import { forbiddenDeployParams, forbiddenDetails, forbiddenDocumentChanges, forbiddenMessage } from './business-guard.js';

const edit = (change: (d: ReturnType<typeof pricingDoc>) => void) => {
  const d = structuredClone(pricingDoc());
  change(d);
  return forbiddenDocumentChanges(pricingDoc(), d);
};
type Config = Record<string, any>;
const cfg = (d: ReturnType<typeof pricingDoc>, id: string): Config => d.nodes.find((n) => n.id === id)!.config;

describe('forbiddenDocumentChanges', () => {
  it('the fixture is a valid document (so the API tests deploy it)', () => {
    const r = validateDocument(pricingDoc(), nodeDefinitions);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('allows the value of an exposed param, within its bounds and of its type', () => {
    expect(edit((d) => (d.params.surge.value = 60))).toEqual([]);
    expect(edit((d) => (d.params.surge.value = 0))).toEqual([]);
    expect(edit((d) => (d.params.surge.value = 100))).toEqual([]);
  });

  it('refuses an exposed value out of bounds or of another type', () => {
    expect(edit((d) => (d.params.surge.value = 150))).toEqual([{ path: 'params.surge.value', reason: '150 is above the maximum 100' }]);
    expect(edit((d) => (d.params.surge.value = -1))).toEqual([{ path: 'params.surge.value', reason: '-1 is below the minimum 0' }]);
    expect(edit((d) => ((d.params.surge as { value: unknown }).value = '60'))).toEqual([
      { path: 'params.surge.value', reason: '"60" is not a number' },
    ]);
  });

  it("refuses a param that is not exposed, and any change to a param's declaration", () => {
    expect(edit((d) => (d.params.fee.value = 3))).toEqual([{ path: 'params.fee.value', reason: 'the param is not exposed' }]);
    expect(edit((d) => (d.params.surge.max = 1000))).toEqual([{ path: 'params.surge.max' }]);
    expect(edit((d) => ((d.params.fee as { exposed?: boolean }).exposed = true))).toEqual([{ path: 'params.fee.exposed' }]);
    expect(edit((d) => ((d.params as Record<string, unknown>).extra = { type: 'number', value: 1, exposed: true }))).toEqual([
      { path: 'params.extra', reason: 'added' },
    ]);
  });

  it('allows rows and default of an exposed rules table', () => {
    expect(
      edit((d) => {
        cfg(d, 'adjust').rows[0].then.adjust_pct = 12;
        cfg(d, 'adjust').rows.push({ when: { qty: { op: '>', value: 20 } }, then: { adjust_pct: 15 }, note: 'bulk' });
        cfg(d, 'adjust').default = { adjust_pct: 1 };
      }),
    ).toEqual([]);
  });

  it("refuses the rows of a table that is not exposed, and an exposed table's columns or flag", () => {
    expect(edit((d) => (cfg(d, 'risk').rows[0].then.risk = 'medium'))).toEqual([{ path: 'nodes.risk.config.rows' }]);
    expect(edit((d) => (cfg(d, 'risk').default = { risk: 'none' }))).toEqual([{ path: 'nodes.risk.config.default.risk' }]);
    expect(edit((d) => (cfg(d, 'adjust').inputs[0].expression = 'quantity * 2'))).toEqual([{ path: 'nodes.adjust.config.inputs' }]);
    expect(edit((d) => (cfg(d, 'adjust').exposed = false))).toEqual([{ path: 'nodes.adjust.config.exposed' }]);
    // A table made exposed in the same request is judged by the stored (not exposed) one.
    expect(
      edit((d) => {
        cfg(d, 'risk').exposed = true;
        cfg(d, 'risk').rows = [];
      }),
    ).toEqual([{ path: 'nodes.risk.config.exposed' }, { path: 'nodes.risk.config.rows' }]);
  });

  it('refuses changes to the graph and to other config, naming each; positions may move', () => {
    expect(edit((d) => (d.nodes[3]!.position = { x: 1, y: 2 }))).toEqual([]);
    expect(edit((d) => (cfg(d, 'price').set.price = 'quantity * 1000'))).toEqual([{ path: 'nodes.price.config.set.price' }]);
    expect(
      edit((d) => {
        d.nodes.push({ id: 'spy', type: 'sink.file', position: { x: 0, y: 0 }, config: { path: 'copy.jsonl' } });
        d.edges.push({ id: 'e5', source: 'price', target: 'spy' });
        d.edges.splice(0, 1);
        d.name = 'Mine';
      }),
    ).toEqual([
      { path: 'name' },
      { path: 'nodes.spy', reason: 'added' },
      { path: 'edges.e1', reason: 'removed' },
      { path: 'edges.e5', reason: 'added' },
    ]);
    expect(edit((d) => (d.nodes[1]!.type = 'map'))).toEqual([{ path: 'nodes.adjust.type' }]);
    // Reordering nodes is no change.
    expect(edit((d) => d.nodes.reverse())).toEqual([]);
    // Privacy settings (docs/privacy.md) are not a business user's to loosen.
    expect(edit((d) => ((d as { privacy?: unknown }).privacy = { maskPersonalFields: false }))).toEqual([{ path: 'privacy' }]);
  });

  it('the 403 message names the first three changes and counts the rest; details are diagnostics', () => {
    const changes = edit((d) => {
      cfg(d, 'price').set.price = '0';
      d.params.fee.value = 9;
      d.name = 'x';
      (d as { description?: string }).description = 'y';
    });
    expect(forbiddenMessage(changes)).toBe(
      'business users may not change name, params.fee.value (the param is not exposed), nodes.price.config.set.price and 1 more; they may change only exposed params and exposed rule tables',
    );
    expect(forbiddenDetails(changes)).toContainEqual({
      severity: 'error',
      code: 'forbidden-change',
      nodeId: 'price',
      path: 'config.set.price',
      message: 'business users may not change this',
    });
  });
});

describe('forbiddenDeployParams', () => {
  it('only exposed params, of their type (strings read as numbers), within bounds', () => {
    expect(forbiddenDeployParams(pricingDoc(), { surge: 70 })).toEqual([]);
    expect(forbiddenDeployParams(pricingDoc(), { surge: '70' })).toEqual([]);
    expect(forbiddenDeployParams(pricingDoc(), { fee: 1 })).toEqual([{ path: 'params.fee', reason: 'the param is not exposed' }]);
    expect(forbiddenDeployParams(pricingDoc(), { surge: 101 })).toEqual([{ path: 'params.surge', reason: '101 is above the maximum 100' }]);
    expect(forbiddenDeployParams(pricingDoc(), { nope: 1 })).toEqual([{ path: 'params.nope', reason: 'no such param' }]);
  });
});
