import { describe, expect, it } from 'vitest';
import type { EventSchema } from '../schema/event-schema.js';
import { type CheckContext, checkExpression } from './api.js';

const schema: EventSchema = {
  fields: {
    amount: 'number',
    name: 'string',
    flag: 'boolean',
    tags: 'array',
    user: 'object',
    'user.country': 'string',
    meta: 'any',
    'item.odd name': 'number',
  },
  open: false,
};
const ctx: CheckContext = { params: { limit: 'number', label: 'string' }, schema };
const issues = (src: string, c: CheckContext = ctx) => checkExpression(src, c).issues.map((i) => [i.code, i.column, i.severity]);
const messages = (src: string, c: CheckContext = ctx) => checkExpression(src, c).issues.map((i) => i.message);

describe('checker: names', () => {
  it('flags unknown params and unknown fields of a closed schema, with columns and hints', () => {
    expect(issues('amout > params.limt')).toEqual([
      ['expr-unknown-field', 1, 'error'],
      ['expr-unknown-param', 9, 'error'],
    ]);
    expect(messages('amout > params.limt')[0]).toBe(
      "unknown field 'amout' at column 1 (fields here: amount, name, flag, tags, user, user.country, meta, item.odd name)",
    );
    expect(messages('amout > params.limt')[1]).toBe("unknown param 'limt' at column 9 (declared: limit, label)");
    expect(messages('params.x', { params: {} })[0]).toBe("unknown param 'x' at column 1 (the document declares no params)");
  });

  it('knows dotted names, and fields inside an object or unknown value', () => {
    expect(issues('user.country == "FR" && item["odd name"] > 1')).toEqual([]);
    expect(issues('user.city == "Lyon" && meta.a.b == 1')).toEqual([]);
    expect(issues('user.country.x == 1')).toEqual([['expr-type', 1, 'error']]);
    expect(messages('amount.cents > 1')[0]).toBe("'amount' is a number, it has no field 'cents' at column 1");
  });

  it('an open schema, or none, accepts any field', () => {
    expect(issues('whatever > 1', { params: {}, schema: { fields: {}, open: true } })).toEqual([]);
    expect(issues('whatever > 1', { params: {} })).toEqual([]);
  });

  it('has() of a field that cannot exist is a warning: it is always false', () => {
    expect(issues('has(nope)')).toEqual([['expr-unknown-field', 5, 'warning']]);
    expect(issues('has(user.country)')).toEqual([]);
  });
});

describe('checker: types', () => {
  it.each([
    ['amount > "x"', 8, 'cannot compare \'amount\' (a number) with "x" (a string) at column 8'],
    ['lower(amount)', 7, "lower() needs a string, but 'amount' is a number at column 7"],
    [
      'amount == "5"',
      8,
      "'amount' (a number) is never equal to \"5\" (a string): '==' is always false at column 8 (values are not converted; toNumber() or toString() can)",
    ],
    [
      'name != 3',
      6,
      "'name' (a string) is never equal to 3 (a number): '!=' is always true at column 6 (values are not converted; toNumber() or toString() can)",
    ],
    ['name * 2', 1, "'*' needs a number, but 'name' is a string at column 1"],
    ['-name', 2, "'-' needs a number, but 'name' is a string at column 2"],
    ['!amount', 2, "'!' needs a boolean, but 'amount' is a number at column 2"],
    ['amount && flag', 1, "'&&' needs a boolean, but 'amount' is a number at column 1"],
    ['amount ? 1 : 2', 1, "the condition of ?: needs a boolean, but 'amount' is a number at column 1"],
    ['flag + 1', 1, "'+' needs a number or a string, but 'flag' is a boolean at column 1"],
    ['tags + "x"', 1, "'+' needs a string or a number or a boolean, but 'tags' is a list at column 1"],
    ['flag < 1', 1, "'<' needs a number or a string, but 'flag' is a boolean at column 1"],
    ['amount in ["a", "b"]', 8, "'amount' is a number and no item of the list is at column 8 ('in' is always false)"],
    ['1 in amount', 6, "'in' needs a list or a string, but 'amount' is a number at column 6"],
    ['amount in name', 1, "'in' a string needs a string, but 'amount' is a number at column 1"],
    ['len(amount)', 5, "len() needs a string or a list, but 'amount' is a number at column 5"],
    ['round(amount, "2")', 15, 'round() needs a number, but "2" is a string at column 15'],
    ['amount > params.label', 8, "cannot compare 'amount' (a number) with params.label (a string) at column 8"],
    ['name[0]', 1, "'[ ]' needs a list or an object, but 'name' is a string at column 1"],
  ])('%s', (src, column, message) => {
    const r = checkExpression(src, ctx);
    expect(r.issues).toEqual([{ code: 'expr-type', column, severity: 'error', message }]);
  });

  it('dividing by a literal zero is a warning', () => {
    expect(checkExpression('amount / 0', ctx).issues).toEqual([
      { code: 'expr-type', column: 10, severity: 'warning', message: 'division by zero at column 10 (it gives null for every event)' },
    ]);
  });

  it('unknown types and null are never a mismatch', () => {
    for (const src of [
      'meta > 1',
      'meta + 1',
      'amount == null',
      'missing > 1',
      'lower(meta)',
      'amount > params.limit',
      'name + amount',
      'name + flag',
      '"a" in tags',
      'amount in [1, 2]',
      'amount in [1, "a"]',
    ]) {
      expect(issues(src, { ...ctx, schema: { ...schema, open: true } }), src).toEqual([]);
    }
    expect(issues('amount > params.label', { params: { label: 'string' } })).toEqual([]);
  });

  it('reports each problem once, in source order', () => {
    expect(issues('nope > 1 || lower(amount) == params.zz')).toEqual([
      ['expr-unknown-field', 1, 'error'],
      ['expr-type', 19, 'error'],
      ['expr-unknown-param', 30, 'error'],
    ]);
  });
});

describe('checker: result type and fields read', () => {
  it.each([
    ['user.country == "FR" && amount > 1', 'boolean'],
    ['amount * 2', 'number'],
    ['name + 1', 'string'],
    ['amount > 1 ? "a" : "b"', 'string'],
    ['amount > 1 ? 1 : "b"', 'any'],
    ['flag ? amount : null', 'number'],
    ['coalesce(null, amount)', 'number'],
    ['coalesce(missing, amount)', 'any'],
    ['coalesce(name, amount)', 'any'],
    ['[1]', 'array'],
    ['null', 'null'],
    ['has(amount)', 'boolean'],
    ['params.limit', 'number'],
    ['now()', 'number'],
    ['toString(amount)', 'string'],
    ['split(name, ",")', 'array'],
    ['user', 'object'],
    ['user.tier', 'any'],
    ['tags[0]', 'any'],
  ])('%s: %s', (src, type) => {
    const r = checkExpression(src, { ...ctx, schema: { ...schema, open: true } });
    expect(r.issues).toEqual([]);
    expect(r.type).toBe(type);
  });

  it('lists the fields read, once each, as dotted names', () => {
    const r = checkExpression('has(user.country) && amount > 0 && item["odd name"] == 1 && amount < tags[0]', ctx);
    expect(r.fields).toEqual(['user.country', 'amount', 'item.odd name', 'tags']);
  });

  it('syntax, arity, depth and length problems come back as one issue with its code', () => {
    expect(checkExpression('amount >', ctx)).toEqual({
      issues: [{ code: 'expr-syntax', column: 9, severity: 'error', message: 'unexpected end of expression at column 9' }],
      type: 'any',
      fields: [],
    });
    expect(issues('round()')).toEqual([['expr-arity', 1, 'error']]);
    expect(issues(`${'('.repeat(300)}1${')'.repeat(300)}`)[0]![0]).toBe('expr-too-deep');
    expect(issues('1'.repeat(10_001))[0]![0]).toBe('expr-too-long');
  });
});
