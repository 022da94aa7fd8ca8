/* biome-ignore-all lint/suspicious/noThenProperty: the agreed config shape calls a row's outputs `then` */
/** The rules node's own checks of a table (what the validator and the editor's table report). */
import { validateDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../definitions.js';
import { rulesDefinition } from './definition.js';
import { problems } from './rules-test-config.js';

describe('rules: checks', () => {
  const columns = {
    inputs: [
      { id: 'cat', expression: 'category' },
      { id: 'n', expression: 'orders' },
    ],
    outputs: [{ id: 'pct' }],
    default: { pct: 0 },
  };
  const warnings = (rows: unknown[], extra: Record<string, unknown> = {}) =>
    problems({ ...columns, rows, ...extra })
      .filter((p) => p.severity === 'warning')
      .map((p) => `${p.path}: ${p.code}`);

  it('the example is clean', () => {
    expect(problems(rulesDefinition.example as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('a row covered by an earlier unconditional or superset row is unreachable', () => {
    expect(warnings([{ then: { pct: 1 } }, { when: { n: { op: '>', value: 3 } }, then: { pct: 2 } }])).toEqual([
      'config.rows[1]: rules-unreachable',
    ]);
    const superset = [
      { when: { n: { op: 'between', value: [0, 100] } }, then: { pct: 1 } },
      { when: { n: { op: 'between', value: [10, 20] }, cat: { op: 'in', value: ['a', 'b'] } }, then: { pct: 2 } },
      { when: { n: { op: '=', value: 50 } }, then: { pct: 3 } },
      { when: { n: { op: '>', value: 100 } }, then: { pct: 4 } },
    ];
    expect(warnings(superset)).toEqual(['config.rows[1]: rules-unreachable', 'config.rows[2]: rules-unreachable']);
    const messages = problems({ ...columns, rows: superset }).map((p) => p.message);
    expect(messages[0]).toBe('row 2 is unreachable: row 1 matches every event it matches, and comes first');
  });

  it('a row is covered only by an earlier row in effect whenever it is', () => {
    const rows = [
      { when: { n: { op: '>', value: 3 } }, then: { pct: 1 }, effectiveFrom: '2026-01-01T00:00:00Z' },
      { when: { n: { op: '>', value: 5 } }, then: { pct: 2 } },
      { when: { n: { op: '>', value: 5 } }, then: { pct: 3 }, effectiveFrom: '2026-02-01T00:00:00Z' },
    ];
    expect(warnings(rows)).toEqual(['config.rows[1]: rules-overlap', 'config.rows[2]: rules-unreachable']);
  });

  it('overlap under first, decided per column by intervals and sets; none under collect', () => {
    const rows = [
      { when: { cat: { op: '=', value: 'a' }, n: { op: '>', value: 40 } }, then: { pct: 1 } },
      { when: { cat: { op: '=', value: 'a' }, n: { op: 'between', value: [10, 40] } }, then: { pct: 2 } }, // 40 is not > 40: disjoint
      { when: { cat: { op: 'in', value: ['b', 'c'] }, n: { op: '>=', value: 40 } }, then: { pct: 3 } }, // other categories: disjoint
      { when: { cat: { op: '!=', value: 'c' }, n: { op: '<', value: 10 } }, then: { pct: 4 } }, // n < 10: disjoint from all above
      { when: { cat: { op: 'in', value: ['a', 'b'] }, n: { op: '<=', value: 45 } }, then: { pct: 5 } }, // overlaps 1 (a, 41..45), 2, 3 (b, 40..45), 4
    ];
    expect(warnings(rows)).toEqual(['config.rows[4]: rules-overlap']);
    const p = problems({ ...columns, rows }).find((x) => x.code === 'rules-overlap')!;
    expect(p.message).toBe('row 5 overlaps rows 1, 2, 3, 4: some events match both, and under "first" the earlier row wins');
    expect(warnings(rows, { hitPolicy: 'collect' })).toEqual([]);
  });

  it('rows whose effective ranges do not meet never overlap ([from, until))', () => {
    const rows = [
      { then: { pct: 1 }, effectiveUntil: '2026-02-01T00:00:00Z' },
      { then: { pct: 2 }, effectiveFrom: '2026-02-01T00:00:00Z' },
    ];
    expect(warnings(rows)).toEqual([]);
  });

  it('expr conditions: only the same text is known to overlap or cover', () => {
    const e = (expression: string) => ({ op: 'expr', expression });
    expect(
      warnings([
        { when: { n: e('orders > 5') }, then: { pct: 1 } },
        { when: { n: e('orders > 9') }, then: { pct: 2 } },
      ]),
    ).toEqual([]);
    expect(
      warnings([
        { when: { n: e('orders > 5') }, then: { pct: 1 } },
        { when: { n: e('orders > 5') }, then: { pct: 2 } },
      ]),
    ).toEqual(['config.rows[1]: rules-unreachable']);
    expect(
      warnings([
        { when: { n: e('orders > 5') }, then: { pct: 1 } },
        { when: { cat: { op: '=', value: 'a' } }, then: { pct: 2 } },
      ]),
    ).toEqual(['config.rows[1]: rules-overlap']);
    expect(
      warnings([
        { when: { n: { op: '>', value: 5 } }, then: { pct: 1 } },
        { when: { n: e('orders > 9') }, then: { pct: 2 } },
      ]),
    ).toEqual([]);
  });

  it('errors: unknown columns, empty outputs, between lo > hi, effective dates out of order, duplicate ids', () => {
    const got = problems({
      inputs: [...columns.inputs, { id: 'n', expression: 'x' }],
      outputs: [{ id: 'pct' }, { id: 'rule' }],
      rows: [
        { when: { size: { op: '=', value: 1 } }, then: { pct: 1, price: 2 } },
        { when: { n: { op: '=', value: 1 } }, then: {} },
        { when: { n: { op: 'between', value: [9, 3] } }, then: { pct: 1 } },
        { then: { pct: 1 }, effectiveFrom: '2026-02-01T00:00:00Z', effectiveUntil: '2026-02-01T00:00:00Z' },
      ],
      default: {},
      matchField: 'rule',
    });
    expect(got.filter((p) => p.severity !== 'warning').map((p) => [p.path, p.message])).toEqual([
      ['config.inputs[2].id', 'input column "n" is defined twice'],
      ['config.matchField', '"rule" is also an output column'],
      ['config.rows[0].when.size', 'unknown input column "size" (columns: cat, n, n)'],
      ['config.rows[0].then.price', 'unknown output column "price" (columns: pct, rule)'],
      ['config.rows[1].then', 'row 2 sets no output (give a value to at least one of: pct, rule)'],
      ['config.rows[2].when.n.value', 'between 9 and 3: the low end is above the high end, nothing matches'],
      ['config.rows[3].effectiveUntil', 'row 4 never applies: effectiveUntil is not after effectiveFrom'],
      ['config.default', 'the default row sets no output (give a value to at least one of: pct, rule)'],
    ]);
  });

  it('type errors: one value type per column, or the declared one', () => {
    const got = problems({
      inputs: [
        { id: 'cat', expression: 'category' },
        { id: 'n', expression: 'orders', type: 'number' },
      ],
      outputs: [{ id: 'pct' }],
      rows: [
        { when: { cat: { op: '=', value: 'a' }, n: { op: '>', value: '40' } }, then: { pct: 8 } },
        { when: { cat: { op: 'in', value: ['b', 3, null] } }, then: { pct: 'high' } },
        { when: { n: { op: 'between', value: [1, 'z'] } }, then: { pct: null } },
      ],
      default: { pct: 0 },
    });
    expect(got.filter((p) => p.code === 'rules-type').map((p) => [p.path, p.message])).toEqual([
      ['config.rows[0].when.n.value', 'input column "n" gets a text ("40") here, but a number in its declared type'],
      ['config.rows[1].when.cat.value[1]', 'input column "cat" gets a number (3) here, but a text in row 1'],
      ['config.rows[1].then.pct', 'output column "pct" gets a text ("high") here, but a number in row 1'],
      ['config.rows[2].when.n.value[1]', 'input column "n" gets a text ("z") here, but a number in its declared type'],
      ['config.rows[2].when.n.value', 'between 1 and "z": both ends must be numbers or both text'],
    ]);
    expect(got.filter((p) => p.code === 'rules-type').every((p) => p.severity === undefined)).toBe(true);
  });

  it('a rules node in a document: every expression checked with its path, warnings do not refuse', () => {
    const doc = {
      format: 'sluice/v1',
      params: { threshold: { type: 'number', value: 10 } },
      nodes: [
        { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 10 } },
        {
          id: 'rules',
          type: 'rules',
          config: {
            inputs: [{ id: 'cat', expression: 'category' }],
            outputs: [{ id: 'pct' }],
            rows: [
              { when: { cat: { op: 'expr', expression: 'quantity > params.treshold' } }, then: { pct: 1 } },
              { then: { pct: { expr: 'unit_price +' } } },
              { when: { cat: { op: '=', value: 'books' } }, then: { pct: 2 } },
            ],
            default: { pct: { expr: 'nope * 2' } },
          },
        },
        { id: 'out', type: 'sink.console', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'src', target: 'rules' },
        { id: 'e2', source: 'rules', target: 'out' },
      ],
    };
    const r = validateDocument(doc, nodeDefinitions);
    const at = (sev: string) =>
      r.diagnostics
        .filter((d) => d.severity === sev && d.nodeId === 'rules')
        .map((d) => `${d.path} ${d.code}`)
        .sort();
    expect(at('error')).toEqual([
      'config.default.pct.expr expr-unknown-field',
      'config.rows[0].when.cat.expression expr-unknown-param',
      'config.rows[1].then.pct.expr expr-syntax',
    ]);
    // Row 2 (no condition) overlaps row 1 (an expression) and hides row 3.
    expect(at('warning')).toEqual(['config.rows[1] rules-overlap', 'config.rows[2] rules-unreachable']);
    const fixed = structuredClone(doc);
    const cfg = fixed.nodes[1]!.config as { rows: { when?: unknown; then: unknown }[]; default: unknown };
    cfg.rows = [
      { when: { cat: { op: 'expr', expression: 'quantity > params.threshold' } }, then: { pct: 1 } },
      { when: { cat: { op: '=', value: 'books' } }, then: { pct: { expr: 'round(unit_price * 0.1, 2)' } } },
    ];
    cfg.default = { pct: 0 };
    const ok = validateDocument(fixed, nodeDefinitions);
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.schemas!.e2!.fields.pct).toBe('number');
  });
});
