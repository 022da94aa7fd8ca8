import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { sortProblems } from './rules-check';
import {
  addInput,
  addOutput,
  addRow,
  deleteRow,
  duplicateRow,
  kindOf,
  moveRow,
  parseList,
  parseValue,
  readRules,
  removeColumn,
  renameColumn,
  type RulesConfig,
  setCondition,
  withThen,
} from './rules-config';
import { changeOp } from './rules-table/condition-cell';
import { RulesTableEditor } from './rules-table-editor';

const config = (): RulesConfig =>
  readRules({
    exposed: true,
    hitPolicy: 'first',
    inputs: [
      { id: 'category', label: 'Category', expression: 'category' },
      { id: 'demand', label: 'Orders / 5 min', expression: 'orders' },
    ],
    outputs: [{ id: 'adjust_pct', label: 'Price change', unit: '%' }],
    rows: [
      withThen({ when: { category: { op: '=', value: 'electronics' }, demand: { op: '>', value: 40 } } }, { adjust_pct: 8 }),
      withThen({ when: { category: { op: 'in', value: ['books', 'toys'] } } }, { adjust_pct: -5 }),
      withThen({ when: {} }, { adjust_pct: { expr: 'orders / 100' } }),
    ],
    default: { adjust_pct: 0 },
  });
const outs = (c: RulesConfig) => c.rows.map((r) => r.then.adjust_pct);

describe('row operations', () => {
  it('add puts an empty row (every output null) after the given row, or at the end', () => {
    expect(outs(addRow(config()))).toEqual([8, -5, { expr: 'orders / 100' }, null]);
    expect(outs(addRow(config(), 0))).toEqual([8, null, -5, { expr: 'orders / 100' }]);
    expect(addRow(config(), 0).rows[1]!.when).toEqual({});
  });
  it('move up and down swap neighbours; past either end nothing moves', () => {
    expect(outs(moveRow(config(), 1, -1))).toEqual([-5, 8, { expr: 'orders / 100' }]);
    expect(outs(moveRow(config(), 1, 1))).toEqual([8, { expr: 'orders / 100' }, -5]);
    const c = config();
    expect(moveRow(c, 0, -1)).toBe(c);
    expect(moveRow(c, 2, 1)).toBe(c);
  });
  it('delete removes one row; duplicate inserts a deep copy below it', () => {
    expect(outs(deleteRow(config(), 0))).toEqual([-5, { expr: 'orders / 100' }]);
    const d = duplicateRow(config(), 1);
    expect(outs(d)).toEqual([8, -5, -5, { expr: 'orders / 100' }]);
    expect(d.rows[2]).toEqual(d.rows[1]);
    expect(d.rows[2]!.when).not.toBe(d.rows[1]!.when);
  });
  it('"any" removes the column from the row (a missing column matches anything)', () => {
    const c = setCondition(config(), 0, 'demand', { op: 'any' });
    expect(c.rows[0]!.when).toEqual({ category: { op: '=', value: 'electronics' } });
  });
  it('the original config is never changed', () => {
    const c = config();
    const before = JSON.stringify(c);
    moveRow(c, 0, 1);
    deleteRow(c, 0);
    duplicateRow(c, 0);
    setCondition(c, 0, 'demand', { op: 'any' });
    expect(JSON.stringify(c)).toBe(before);
  });
});

describe('column operations (engineer mode)', () => {
  it('rename carries the cells of every row and the default', () => {
    const r = renameColumn(config(), 'output', 'adjust_pct', 'change') as RulesConfig;
    expect(r.outputs.map((o) => o.id)).toEqual(['change']);
    expect(r.rows.map((x) => x.then)).toEqual([{ change: 8 }, { change: -5 }, { change: { expr: 'orders / 100' } }]);
    expect(r.default).toEqual({ change: 0 });
    const i = renameColumn(config(), 'input', 'demand', 'orders') as RulesConfig;
    expect(i.rows[0]!.when.orders).toEqual({ op: '>', value: 40 });
  });
  it('rename refuses a taken or malformed id with the reason', () => {
    expect(renameColumn(config(), 'input', 'demand', 'category')).toBe('a input column "category" exists already');
    expect(renameColumn(config(), 'input', 'demand', '9x')).toBe(
      '"9x" is not a valid column id (letters, digits, _; not starting with a digit)',
    );
  });
  it('remove drops the column and its cells; add gives a fresh id', () => {
    const r = removeColumn(config(), 'input', 'category');
    expect(r.inputs.map((x) => x.id)).toEqual(['demand']);
    expect(r.rows.map((x) => x.when)).toEqual([{ demand: { op: '>', value: 40 } }, {}, {}]);
    expect(addInput(config()).inputs.at(-1)).toEqual({ id: 'input1', expression: '' });
    const o = addOutput(config());
    expect(o.outputs.at(-1)).toEqual({ id: 'output1' });
    expect(o.rows[0]!.then).toEqual({ adjust_pct: 8, output1: null });
  });
});

describe('typed cells', () => {
  it('reads text as the column kind', () => {
    expect(parseValue('42', 'number')).toEqual({ ok: true, value: 42 });
    expect(parseValue('4x', 'number')).toEqual({ ok: false, message: '"4x" is not a number' });
    expect(parseValue('42', 'string')).toEqual({ ok: true, value: '42' });
    expect(parseValue('yes', 'boolean')).toEqual({ ok: false, message: '"yes" is not true or false' });
    expect(parseValue('-1.5', 'any')).toEqual({ ok: true, value: -1.5 });
    expect(parseValue('books', 'any')).toEqual({ ok: true, value: 'books' });
    expect(parseList('books, toys ,', 'string')).toEqual({ ok: true, value: ['books', 'toys'] });
    expect(parseList('1, two', 'number')).toEqual({ ok: false, message: '"two" is not a number' });
  });
  it('a column kind comes from its checked type, else from its cells', () => {
    expect(kindOf(['a'], 'number')).toBe('number');
    expect(kindOf([undefined, [3, 4]])).toBe('number');
    expect(kindOf([undefined, null])).toBe('any');
  });
  it('changing the operator keeps what can be kept', () => {
    expect(changeOp({ op: '>', value: 40 }, 'between')).toEqual({ op: 'between', value: [40, 40] });
    expect(changeOp({ op: '=', value: 'books' }, 'in')).toEqual({ op: 'in', value: ['books'] });
    expect(changeOp({ op: 'in', value: ['books', 'toys'] }, '!=')).toEqual({ op: '!=', value: 'books' });
    expect(changeOp({ op: '=', value: 1 }, 'expr')).toEqual({ op: 'expr', expression: '' });
  });
});

const render = (props: Partial<Parameters<typeof RulesTableEditor>[0]> & { config?: Record<string, unknown> } = {}) =>
  renderToStaticMarkup(
    <RulesTableEditor
      config={config() as Record<string, unknown>}
      onChange={() => undefined}
      mode="business"
      context={{ params: {} }}
      title="Pricing"
      {...props}
    />,
  );

describe('the table in business and engineer mode', () => {
  it('business mode: columns fixed (labels, no column editing, no hit policy select); rows editable', () => {
    const html = render();
    expect(html).toContain('Orders / 5 min');
    expect(html).toContain('Price change (%)');
    expect(html).not.toContain('Add input column');
    expect(html).not.toContain('Remove column');
    expect(html).not.toContain('aria-label="Pricing hit policy"');
    expect(html).not.toContain('aria-label="Pricing input demand id"');
    expect(html).not.toContain('aria-label="Pricing input demand type"');
    expect(html).toContain('first matching row wins');
    expect(html).toContain('aria-label="Move Pricing row 2 up"');
    expect(html).toContain('aria-label="Delete Pricing row 3"');
    expect(html).toContain('aria-label="Duplicate Pricing row 1"');
    expect(html).toContain('>Add row</button>');
    // Typed cells: row 1 demand > 40, row 2 in books, toys, row 3 a formula, the default 0.
    expect(html).toMatch(/aria-label="Pricing row 1 demand value"[^>]*value="40"/);
    expect(html).toMatch(/aria-label="Pricing row 2 category values"[^>]*value="books, toys"/);
    expect(html).toMatch(/aria-label="Pricing row 3 adjust_pct expression"[^>]*value="orders \/ 100"/);
    expect(html).toMatch(/aria-label="Pricing default adjust_pct"[^>]*value="0"/);
  });

  it('read-only: no row actions, inputs read-only, selects disabled', () => {
    const html = render({ readOnly: true });
    expect(html).not.toContain('Move Pricing row');
    expect(html).not.toContain('>Add row</button>');
    expect(html).toMatch(/aria-label="Pricing row 1 demand value"[^>]*readOnly=""/);
    expect(html).toMatch(/<select aria-label="Pricing row 1 demand operator" disabled=""/);
  });

  it('engineer mode: columns can be added, renamed and removed; the hit policy chosen', () => {
    const html = render({ mode: 'engineer' });
    expect(html).toContain('Add input column');
    expect(html).toContain('Add output column');
    expect(html).toContain('aria-label="Remove Pricing input column demand"');
    expect(html).toMatch(/aria-label="Pricing input demand id"[^>]*value="demand"/);
    expect(html).toContain('aria-label="Pricing hit policy"');
    expect(html).toContain('aria-label="Pricing output adjust_pct type"');
  });

  it('an expression cell is checked as typed, the error naming its column', () => {
    const c = config();
    c.rows[2]!.then.adjust_pct = { expr: 'orders / ' };
    const html = render({ config: c as Record<string, unknown> });
    expect(html).toContain('unexpected end of expression at column 10');
  });

  it('a row in force from an epoch-ms time (which the node accepts) shows that number instead of failing to draw', () => {
    const c = config();
    c.rows[0]!.effectiveFrom = 1767225600000; // 2026-01-01T00:00:00Z
    const html = render({ config: c as Record<string, unknown> });
    expect(html).toMatch(/aria-label="Pricing row 1 effectiveFrom"[^>]*value="1767225600000"/);
    expect(html).not.toContain('not a date and time');
  });

  it("the node's own check marks the row it names", () => {
    const c = config();
    c.rows[1]!.when.demand = { op: 'between', value: [50, 10] };
    const html = render({ config: c as Record<string, unknown> });
    expect(html).toContain('data-testid="Pricing-row-2-problem"');
    expect(html).toContain('row 2: when.demand.value: between 50 and 10: the low end is above the high end, nothing matches');
    expect(html).toContain('class="biz-row-bad"');
  });
});

describe('problems sorted to their place', () => {
  it('rows, default, columns (by index through the config), the rest to the table', () => {
    const s = sortProblems(
      [
        { path: 'rows[2].then.adjust_pct', message: 'a', severity: 'error' },
        { path: 'default.adjust_pct', message: 'b', severity: 'error' },
        { path: 'inputs[1].expression', message: 'c', severity: 'error' },
        { path: 'rows', message: 'd', severity: 'warning' },
      ],
      config(),
    );
    expect([...s.rows.entries()].map(([k, v]) => [k, v.map((p) => p.message)])).toEqual([[2, ['a']]]);
    expect(s.default.map((p) => p.message)).toEqual(['b']);
    expect([...s.columns.keys()]).toEqual(['input:demand']);
    expect(s.table.map((p) => p.message)).toEqual(['d']);
  });
});
