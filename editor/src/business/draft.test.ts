import { readFileSync } from 'node:fs';
import type { PipelineDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { alignRows, applyDraft, draftChanges, exposedParams, exposedRuleNodes, paramProblem, setParam, setRulesConfig } from './draft';
import { deleteRow, moveRow, type RuleRow, readRules, setCondition, setDefault, setOutput, updateRow, withThen } from './rules-config';

const pricing = JSON.parse(
  readFileSync(new URL('../../../examples/dynamic-pricing/dynamic-pricing.json', import.meta.url), 'utf8'),
) as PipelineDocument;
const table = () => readRules(pricing.nodes.find((n) => n.id === 'pricing')!.config);
const withTable = (doc: PipelineDocument, f: (c: ReturnType<typeof table>) => ReturnType<typeof table>) =>
  setRulesConfig(doc, 'pricing', f(readRules(doc.nodes.find((n) => n.id === 'pricing')!.config)));

describe('what a business user may edit', () => {
  it('lists the exposed params and rule tables of the dynamic-pricing example', () => {
    expect(exposedParams(pricing).map(([n]) => n)).toEqual(['surge_threshold', 'surge_pct']);
    expect(exposedRuleNodes(pricing).map((n) => n.id)).toEqual(['pricing']);
  });
});

describe('param bounds', () => {
  const spec = pricing.params!.surge_pct!;
  it('accepts a value inside [min, max], bounds included', () => {
    expect(paramProblem('surge_pct', spec, 0)).toBeUndefined();
    expect(paramProblem('surge_pct', spec, 50)).toBeUndefined();
    expect(paramProblem('surge_pct', spec, 12.5)).toBeUndefined();
  });
  it('names the label, the bound and the unit when outside', () => {
    expect(paramProblem('surge_pct', spec, 60)).toBe('Price increase during a surge must be at most 50 % (allowed: 0 to 50 %)');
    expect(paramProblem('surge_pct', spec, -1)).toBe('Price increase during a surge must be at least 0 % (allowed: 0 to 50 %)');
  });
  it('refuses what is not a number', () => {
    expect(paramProblem('surge_pct', spec, Number.NaN)).toBe('Price increase during a surge: enter a number');
    expect(paramProblem('surge_pct', spec, '7')).toBe('Price increase during a surge: enter a number');
  });
  it('a param with only a minimum has no maximum', () => {
    expect(paramProblem('x', { type: 'number', value: 1, min: 1 }, 1e9)).toBeUndefined();
    expect(paramProblem('x', { type: 'number', value: 1, min: 1 }, 0)).toBe('x must be at least 1');
  });
});

describe('the change list', () => {
  it('is empty for the loaded document', () => {
    expect(draftChanges(pricing, pricing)).toEqual([]);
  });

  it('says a param change and a cell change in words, rows numbered from 1', () => {
    let d = setParam(pricing, 'surge_threshold', 2400);
    d = withTable(d, (c) => setOutput(c, 2, 'adjust_pct', -8));
    d = withTable(d, (c) => setCondition(c, 0, 'demand', { op: '>', value: 40 }));
    expect(draftChanges(pricing, d).map((c) => c.text)).toEqual([
      'surge_threshold 2000 -> 2400',
      'Pricing table row 1 demand > 1000 -> > 40',
      'Pricing table row 3 adjust_pct -5 -> -8',
    ]);
    expect(draftChanges(pricing, d).map((c) => [c.target, c.row])).toEqual([
      ['surge_threshold', undefined],
      ['pricing', 1],
      ['pricing', 3],
    ]);
  });

  it('a deleted row reads as one removal, not as every later row changed', () => {
    const d = withTable(pricing, (c) => deleteRow(c, 1));
    expect(draftChanges(pricing, d).map((c) => c.text)).toEqual([
      'Pricing table row 2 removed (category = electronics demand between 500 and 1000 -> adjust_pct 3)',
    ]);
  });

  it('a row moved down reads as a move', () => {
    const d = withTable(pricing, (c) => moveRow(c, 0, 1));
    expect(draftChanges(pricing, d).map((c) => c.text)).toEqual(['Pricing table row 1 moved to row 2']);
  });

  it('names a changed default, an "any" condition, dates and notes', () => {
    let d = withTable(pricing, (c) => setDefault(c, 'adjust_pct', 1));
    d = withTable(d, (c) => setCondition(c, 3, 'demand', { op: 'any' }));
    d = withTable(d, (c) => updateRow(c, 4, { effectiveUntil: '2026-02-01T00:00:00Z', note: undefined }));
    expect(draftChanges(pricing, d).map((c) => c.text)).toEqual([
      'Pricing table row 4 demand >= 2500 -> any',
      'Pricing table row 5 effectiveUntil 2026-01-02T00:00:00Z -> 2026-02-01T00:00:00Z',
      'Pricing table row 5 note Beauty launch promotion -> (none)',
      'Pricing table default adjust_pct 0 -> 1',
    ]);
  });
});

describe('rows aligned by their longest common run', () => {
  const r = (n: number) => withThen({ when: {} } as RuleRow, { x: n });
  it('pairs equal rows, a changed row with its place, and leaves the rest added or removed', () => {
    expect(alignRows([r(1), r(2), r(3)], [r(1), r(9), r(3), r(4)])).toEqual([{ i: 0, j: 0 }, { i: 1, j: 1 }, { i: 2, j: 2 }, { j: 3 }]);
    expect(alignRows([r(1), r(2)], [])).toEqual([{ i: 0 }, { i: 1 }]);
  });
});

describe('the document saved: only the draft changes, onto the latest version', () => {
  it('keeps an engineer change made elsewhere since the page was loaded', () => {
    const latest: PipelineDocument = {
      ...pricing,
      nodes: pricing.nodes.map((n) => (n.id === 'price' ? { ...n, label: 'Price (v2)' } : n)),
    };
    const draft = withTable(setParam(pricing, 'surge_threshold', 2400), (c) => setOutput(c, 0, 'adjust_pct', 9));
    const { document, conflicts } = applyDraft(latest, pricing, draft);
    expect(conflicts).toEqual([]);
    expect(document.params!.surge_threshold!.value).toBe(2400);
    expect(document.nodes.find((n) => n.id === 'price')!.label).toBe('Price (v2)');
    expect(readRules(document.nodes.find((n) => n.id === 'pricing')!.config).rows[0]!.then).toEqual({ adjust_pct: 9 });
    // Nothing else of the table is touched.
    expect(document.nodes.find((n) => n.id === 'pricing')!.config.inputs).toEqual(table().inputs);
  });

  it('is a conflict when someone else changed the same value meanwhile', () => {
    const latest = setParam(pricing, 'surge_threshold', 3000);
    const { conflicts } = applyDraft(latest, pricing, setParam(pricing, 'surge_threshold', 2400));
    expect(conflicts).toEqual(['surge_threshold was changed to 3000 by someone else since you opened the page']);
    // The same value set by both is no conflict.
    expect(applyDraft(setParam(pricing, 'surge_threshold', 2400), pricing, setParam(pricing, 'surge_threshold', 2400)).conflicts).toEqual(
      [],
    );
  });

  it('a table changed by someone else meanwhile is a conflict', () => {
    const latest = withTable(pricing, (c) => deleteRow(c, 4));
    const { conflicts } = applyDraft(
      latest,
      pricing,
      withTable(pricing, (c) => setOutput(c, 0, 'adjust_pct', 9)),
    );
    expect(conflicts).toEqual(['Pricing table was changed by someone else since you opened the page']);
  });
});
