/* biome-ignore-all lint/suspicious/noThenProperty: the agreed config shape calls a row's outputs `then` */
import { EVENT_TIME, type Event, validateDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../definitions.js';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, plain, recordingCollector, testContext } from '../sdk/testing/index.js';
import { rulesDefinition } from './definition.js';
import { rulesOperator } from './operator.js';
import { config } from './rules-test-config.js';

describeGoldenCases('rules', new URL('./cases', import.meta.url));

const T0 = Date.parse('2026-03-01T00:00:00Z');

function run(raw: Record<string, unknown>, events: Event[], opts: { params?: Record<string, number>; now?: number } = {}) {
  const ctx = testContext({ nodeId: 'r', config: config(raw), params: opts.params ?? {}, now: () => opts.now ?? 0 });
  const op = rulesOperator(ctx) as Operator;
  const col = recordingCollector('r', () => true);
  op.process(events, col, 'in');
  return col;
}

/** One input column `x` (field x), one output `y`, a row per condition: y is the row's number. */
function oneColumn(conditions: Record<string, unknown>[]) {
  return {
    inputs: [{ id: 'x', expression: 'x' }],
    outputs: [{ id: 'y' }],
    rows: conditions.map((c, i) => ({ when: { x: c }, then: { y: i + 1 } })),
    default: { y: 0 },
  };
}

/** y per input value of x, for a single-condition table. */
function ys(condition: Record<string, unknown>, xs: unknown[]): unknown[] {
  const col = run(
    oneColumn([condition]),
    xs.map((x) => (x === undefined ? {} : { x })),
  );
  expect(col.outputs.error).toBeUndefined();
  return plain(col.outputs.out).map((e) => e.y);
}

describe('rules: every operator', () => {
  it('= and != compare without conversion; a missing field is null', () => {
    expect(ys({ op: '=', value: 5 }, [5, 4, '5', undefined])).toEqual([1, 0, 0, 0]);
    expect(ys({ op: '!=', value: 5 }, [5, 4, '5', undefined])).toEqual([0, 1, 1, 1]);
    expect(ys({ op: '=', value: null }, [undefined, 0, null])).toEqual([1, 0, 1]);
    expect(ys({ op: '=', value: true }, [true, false, 'true'])).toEqual([1, 0, 0]);
  });

  it('< <= > >= on numbers and texts; null never matches', () => {
    expect(ys({ op: '<', value: 10 }, [9.5, 10, 11, null])).toEqual([1, 0, 0, 0]);
    expect(ys({ op: '<=', value: 10 }, [9.5, 10, 11, null])).toEqual([1, 1, 0, 0]);
    expect(ys({ op: '>', value: 10 }, [9.5, 10, 11, null])).toEqual([0, 0, 1, 0]);
    expect(ys({ op: '>=', value: 10 }, [9.5, 10, 11, null])).toEqual([0, 1, 1, 0]);
    expect(ys({ op: '<', value: 'm' }, ['apple', 'm', 'zebra'])).toEqual([1, 0, 0]);
  });

  it('between includes both ends', () => {
    expect(ys({ op: 'between', value: [10, 20] }, [9.99, 10, 15, 20, 20.01, null])).toEqual([0, 1, 1, 1, 0, 0]);
    expect(ys({ op: 'between', value: ['b', 'd'] }, ['a', 'b', 'c', 'd', 'da'])).toEqual([0, 1, 1, 1, 0]);
  });

  it('in tests membership, null included when listed', () => {
    expect(ys({ op: 'in', value: ['books', 'toys'] }, ['books', 'toys', 'home', undefined])).toEqual([1, 1, 0, 0]);
    expect(ys({ op: 'in', value: [1, null] }, [1, '1', undefined])).toEqual([1, 0, 1]);
    expect(ys({ op: 'in', value: [] }, ['a'])).toEqual([0]);
  });

  it('expr reads the event (not the column value); false and null do not match', () => {
    expect(ys({ op: 'expr', expression: 'x * 2 > 10 && has(x)' }, [6, 5, undefined])).toEqual([1, 0, 0]);
    expect(ys({ op: 'expr', expression: 'other' }, [1])).toEqual([0]);
  });

  it('any, or the column left out, matches everything', () => {
    expect(ys({ op: 'any' }, [1, null, 'a'])).toEqual([1, 1, 1]);
    const col = run({ inputs: [{ id: 'x', expression: 'x' }], outputs: [{ id: 'y' }], rows: [{ then: { y: 1 } }], default: { y: 0 } }, [
      { x: 3 },
      {},
    ]);
    expect(plain(col.outputs.out).map((e) => e.y)).toEqual([1, 1]);
  });

  it('params in expr conditions and output expressions are bound at creation', () => {
    const table = {
      inputs: [{ id: 'demand', expression: 'orders' }],
      outputs: [{ id: 'pct' }],
      rows: [{ when: { demand: { op: 'expr', expression: 'orders >= params.threshold' } }, then: { pct: { expr: 'params.surge' } } }],
      default: { pct: 0 },
    };
    const col = run(table, [{ orders: 200 }, { orders: 199 }], { params: { threshold: 200, surge: 12 } });
    expect(plain(col.outputs.out).map((e) => e.pct)).toEqual([12, 0]);
  });
});

describe('rules: hit policies, default row, outputs', () => {
  const table = {
    inputs: [
      { id: 'cat', expression: 'category' },
      { id: 'n', expression: 'orders' },
    ],
    outputs: [{ id: 'pct' }, { id: 'why' }],
    rows: [
      { when: { cat: { op: '=', value: 'electronics' }, n: { op: '>', value: 40 } }, then: { pct: 8, why: 'hot electronics' } },
      { when: { n: { op: '>', value: 30 } }, then: { pct: 4 } },
      { when: { cat: { op: 'in', value: ['electronics', 'home'] } }, then: { pct: 1, why: { expr: '"cat " + category' } } },
    ],
    default: { pct: 0, why: 'default' },
    matchField: 'rule',
  };
  const events = [
    { category: 'electronics', orders: 50 },
    { category: 'home', orders: 31 },
    { category: 'toys', orders: 10 },
  ];

  it('first: the first matching row; an output the row leaves out takes the default value', () => {
    const out = plain(run(table, events).outputs.out);
    expect(out).toEqual([
      { category: 'electronics', orders: 50, pct: 8, why: 'hot electronics', rule: 1 },
      { category: 'home', orders: 31, pct: 4, why: 'default', rule: 2 },
      { category: 'toys', orders: 10, pct: 0, why: 'default', rule: 0 },
    ]);
  });

  it('collect: every match in order under collectAs, fields from the first match', () => {
    const out = plain(run({ ...table, hitPolicy: 'collect' }, events).outputs.out);
    expect(out).toEqual([
      {
        category: 'electronics',
        orders: 50,
        pct: 8,
        why: 'hot electronics',
        rule: 1,
        matches: [
          { pct: 8, why: 'hot electronics', rule: 1 },
          { pct: 4, why: 'default', rule: 2 },
          { pct: 1, why: 'cat electronics', rule: 3 },
        ],
      },
      {
        category: 'home',
        orders: 31,
        pct: 4,
        why: 'default',
        rule: 2,
        matches: [
          { pct: 4, why: 'default', rule: 2 },
          { pct: 1, why: 'cat home', rule: 3 },
        ],
      },
      { category: 'toys', orders: 10, pct: 0, why: 'default', rule: 0, matches: [] },
    ]);
  });

  it('emits new objects, keeps event time, never changes the input', () => {
    const input = Object.freeze({ category: 'toys', orders: 1, [EVENT_TIME]: 42 }) as Event;
    const col = run(table, [input]);
    const o = col.outputs.out![0]!;
    expect(o).not.toBe(input);
    expect(o[EVENT_TIME]).toBe(42);
    expect(plain([input])).toEqual([{ category: 'toys', orders: 1 }]);
    expect(plain([o])).toEqual([{ category: 'toys', orders: 1, pct: 0, why: 'default', rule: 0 }]);
  });
});

describe('rules: effective dates', () => {
  const table = {
    outputs: [{ id: 'pct' }],
    rows: [
      { then: { pct: 10 }, effectiveFrom: '2026-03-01T00:00:00Z', effectiveUntil: '2026-03-08T00:00:00Z' },
      { then: { pct: 5 }, effectiveFrom: T0 + 7 * 86_400_000 },
    ],
    default: { pct: 0 },
  };
  const at = (t: number) => ({ [EVENT_TIME]: t }) as Event;

  it('from is included, until excluded, on event time', () => {
    const week = 7 * 86_400_000;
    const out = plain(run(table, [at(T0 - 1), at(T0), at(T0 + week - 1), at(T0 + week)]).outputs.out);
    expect(out.map((e) => e.pct)).toEqual([0, 10, 10, 5]);
  });

  it('an event without event time is dated by the clock', () => {
    expect(plain(run(table, [{}], { now: T0 }).outputs.out)[0]!.pct).toBe(10);
    expect(plain(run(table, [{}], { now: T0 - 1 }).outputs.out)[0]!.pct).toBe(0);
  });
});

describe('rules: the error port', () => {
  it('a value that cannot be compared, a failing output or a non-boolean expr condition: the event goes to error, the rest go on', () => {
    const table = {
      inputs: [{ id: 'n', expression: 'orders' }],
      outputs: [{ id: 'y' }],
      rows: [
        { when: { n: { op: 'between', value: [1, 5] } }, then: { y: { expr: 'base * 2' } } },
        { when: { n: { op: 'expr', expression: 'orders' } }, then: { y: 1 } },
      ],
      default: { y: 0 },
    };
    const col = run(table, [{ orders: 'x' }, { orders: 3, base: 'b' }, { orders: 7 }, {}, { orders: 2, base: 4 }]);
    expect(plain(col.outputs.out)).toEqual([{ y: 0 }, { orders: 2, base: 4, y: 8 }]);
    expect(col.counters.errors).toBe(3);
    expect(plain(col.outputs.error).map((e) => e._error)).toEqual([
      { node: 'r', code: 'rules-compare', message: 'row 1, n: cannot compare the string "x" >= the number 1' },
      { node: 'r', code: 'expr-eval', message: 'row 1, y: cannot compute the string "b" * the number 2 at column 6' },
      { node: 'r', code: 'expr-not-boolean', message: 'row 2, n: the condition gave number 7, not true or false' },
    ]);
    expect(plain(col.outputs.error)[0]).toMatchObject({ orders: 'x' });
  });

  it('a failing input column expression names its column', () => {
    const table = {
      inputs: [{ id: 'n', expression: 'orders * 2' }],
      outputs: [{ id: 'y' }],
      rows: [{ when: { n: { op: '>', value: 1 } }, then: { y: 1 } }],
      default: { y: 0 },
    };
    const col = run(table, [{ orders: 'x' }]);
    expect(plain(col.outputs.error)[0]!._error).toMatchObject({
      code: 'expr-eval',
      message: expect.stringMatching(/^input column n: cannot compute/),
    });
  });
});

describe('rules: definition', () => {
  it('lists every expression with the path of its cell', () => {
    const c = config({
      inputs: [
        { id: 'cat', expression: 'category' },
        { id: 'demand', expression: 'orders' },
      ],
      outputs: [{ id: 'adjust_pct' }],
      rows: [
        { when: { cat: { op: '=', value: 'x' } }, then: { adjust_pct: 1 } },
        { when: { demand: { op: 'expr', expression: 'orders > 3' } }, then: { adjust_pct: { expr: 'orders / 10' } } },
      ],
      default: { adjust_pct: { expr: 'coalesce(base, 0)' } },
    });
    expect(rulesDefinition.expressions!(c)).toEqual([
      { path: 'config.inputs[0].expression', source: 'category', role: 'value' },
      { path: 'config.inputs[1].expression', source: 'orders', role: 'value' },
      { path: 'config.rows[1].when.demand.expression', source: 'orders > 3', role: 'predicate' },
      { path: 'config.rows[1].then.adjust_pct.expr', source: 'orders / 10', role: 'value' },
      { path: 'config.default.adjust_pct.expr', source: 'coalesce(base, 0)', role: 'value' },
    ]);
  });

  it('infers outputs, matchField and collectAs on top of the input fields', () => {
    const input = { fields: { orders: 'number' as const, category: 'string' as const }, open: false };
    const c = config({
      hitPolicy: 'collect',
      outputs: [{ id: 'pct' }, { id: 'label' }, { id: 'calc' }, { id: 'mixed' }],
      rows: [{ then: { pct: 1, label: 'a', calc: { expr: 'orders * 2' }, mixed: 1 } }],
      default: { pct: null, label: null, calc: 0, mixed: 'x' },
      matchField: 'rule',
      collectAs: 'hits',
    });
    expect(rulesDefinition.inferSchema!(c, { inputs: { in: input } }).out).toEqual({
      fields: {
        orders: 'number',
        category: 'string',
        pct: 'number',
        label: 'string',
        calc: 'number',
        mixed: 'any',
        rule: 'number',
        hits: 'array',
      },
      open: false,
    });
    expect(rulesDefinition.outputs(c).map((p) => p.name)).toEqual(['out', 'error']);
  });

  it('refuses a condition of the wrong shape', () => {
    const bad = (when: unknown) =>
      rulesDefinition.config.safeParse({ outputs: [{ id: 'y' }], rows: [{ when: { x: when }, then: { y: 1 } }] }).success;
    expect(bad({ op: 'between', value: [1] })).toBe(false);
    expect(bad({ op: '<', value: true })).toBe(false);
    expect(bad({ op: 'in', value: 3 })).toBe(false);
    expect(bad({ op: 'like', value: 'a%' })).toBe(false);
    expect(bad({ op: 'expr', expression: '' })).toBe(false);
    expect(bad({ op: 'between', value: [1, 2] })).toBe(true);
    expect(rulesDefinition.config.safeParse({ outputs: [] }).success).toBe(false);
    expect(rulesDefinition.config.safeParse({ outputs: [{ id: 'a.b' }] }).success).toBe(false);
    expect(rulesDefinition.config.safeParse({ outputs: [{ id: 'y' }], rows: [{ then: { y: 1 }, effectiveFrom: 'soon' }] }).success).toBe(
      false,
    );
  });
});

describe('rules: a config that fails its schema', () => {
  it('still has its expressions checked, each with its path', () => {
    const doc = {
      format: 'sluice/v1',
      nodes: [
        { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 10 } },
        {
          id: 'rules',
          type: 'rules',
          config: {
            inputs: [{ id: 'q', expression: 'quantity >' }],
            outputs: [{ id: 'y' }],
            rows: [{ when: { q: { op: 'like', value: 'a%' } }, then: { y: { expr: 'nope' } } }],
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
    const paths = r.diagnostics.filter((d) => d.nodeId === 'rules').map((d) => `${d.path} ${d.code}`);
    expect(paths).toEqual(
      expect.arrayContaining(['config.inputs[0].expression expr-syntax', 'config.rows[0].then.y.expr expr-unknown-field']),
    );
    expect(paths.some((p) => p.startsWith('config.rows[0].when.q'))).toBe(true);
    expect(r.ok).toBe(false);
  });
});
