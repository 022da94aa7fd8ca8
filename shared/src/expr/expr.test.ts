import { describe, expect, it } from 'vitest';
import { checkExpression, compileExpression, ExprEvalError, ExprSyntaxError, parseExpression } from './api.js';

const evalOn = (src: string, event: Record<string, unknown> = {}, params: Record<string, number | string | boolean> = {}) =>
  compileExpression(src, { params, now: () => 1234 })(Object.freeze(event));

const syntaxError = (src: string) => {
  const r = parseExpression(src);
  if (r.ok) throw new Error(`expected a syntax error for ${src}`);
  return r.error;
};

describe('expression precedence (hand-computed)', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['2 * 3 % 4', 2],
    ['-2 * 3', -6],
    ['1 + 2 < 4', true],
    ['1 < 2 == true', true],
    ['true || false && false', true],
    ['(true || false) && false', false],
    ['!false && false', false],
    ['1 < 2 ? 10 : 20', 10],
    ['false ? 1 : true ? 2 : 3', 2],
    ['2 in [1, 2] && 3 not in [1, 2]', true],
    ['"a" + "b" + 1 + 2', 'ab12'],
    ['1 + 2 + "a"', '3a'],
  ])('%s = %j', (src, want) => expect(evalOn(src)).toEqual(want));
});

describe('fields, params and null', () => {
  it('reads fields, dotted fields and bracketed names', () => {
    const e = { amount: 5, user: { country: 'FR', tags: ['a', 'b'] }, 'odd name': 1, item: { 'odd name': 3 } };
    expect(evalOn('amount * 2', e)).toBe(10);
    expect(evalOn('user.country', e)).toBe('FR');
    expect(evalOn('item["odd name"]', e)).toBe(3);
    expect(evalOn('user.tags[1]', e)).toBe('b');
    expect(evalOn('user.tags[5]', e)).toBe(null);
  });

  it('a missing field reads as null, and null propagates through arithmetic', () => {
    expect(evalOn('missing')).toBe(null);
    expect(evalOn('missing.deeper.still')).toBe(null);
    expect(evalOn('missing + 1')).toBe(null);
    expect(evalOn('missing * 2 - 1')).toBe(null);
    expect(evalOn('-missing')).toBe(null);
  });

  it('null compares: equal only to null; ordering with null is false; null is false in logic', () => {
    expect(evalOn('missing == null')).toBe(true);
    expect(evalOn('missing != 0')).toBe(true);
    expect(evalOn('missing > 1')).toBe(false);
    expect(evalOn('missing <= 1')).toBe(false);
    expect(evalOn('missing && true')).toBe(false);
    expect(evalOn('!missing')).toBe(true);
    expect(evalOn('missing ? 1 : 2')).toBe(2);
  });

  it('params are constants bound at compile time; an unknown param does not compile', () => {
    expect(evalOn('amount > params.limit', { amount: 12 }, { limit: 10 })).toBe(true);
    expect(() => compileExpression('params.nope > 1', { params: {} })).toThrow(ExprSyntaxError);
  });
});

describe('functions', () => {
  it.each([
    ['abs(-3)', 3],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['round(3.14159, 2)', 3.14],
    ['floor(2.7)', 2],
    ['ceil(2.1)', 3],
    ['min(3, 1, 2)', 1],
    ['max(3, missing, 5)', 5],
    ['lower("AbC")', 'abc'],
    ['upper("abc")', 'ABC'],
    ['len("abcd")', 4],
    ['len([1, 2])', 2],
    ['contains("hello", "ell")', true],
    ['contains([1, 2], 3)', false],
    ['startsWith("sluice", "sl")', true],
    ['endsWith("sluice", "ice")', true],
    ['coalesce(missing, 7)', 7],
    ['substr("abcdef", 1, 3)', 'bcd'],
    ['toNumber("42")', 42],
    ['toNumber("x")', null],
    ['toString(5)', '5'],
    ['now()', 1234],
    ['lower(missing)', null],
  ])('%s = %j', (src, want) => expect(evalOn(src)).toEqual(want));

  it('has() tests presence, even of a null field', () => {
    expect(evalOn('has(user.country)', { user: { country: null } })).toBe(true);
    expect(evalOn('has(user.country)', { user: {} })).toBe(false);
    expect(evalOn('has(user)', {})).toBe(false);
  });
});

describe('type errors while evaluating an event', () => {
  it.each(['"x" - 1', 'name > 3', '1 / 0', '5 % 0', 'lower(5)', '"a" && true', '-"a"', 'len(5)', '[1] + 1'])('%s throws ExprEvalError', (src) => {
    expect(() => evalOn(src, { name: 'bob' })).toThrow(ExprEvalError);
  });

  it('the error names the problem', () => {
    expect(() => evalOn('amount * 2', { amount: 'oops' })).toThrow(/cannot compute a string \("oops"\) \* a number/);
  });
});

describe('syntax errors point at the column', () => {
  it.each([
    ['amount > ', 10, 'unexpected end of expression'],
    ['amount >> 3', 9, "unexpected '>'"],
    ['"abc', 1, 'unterminated string'],
    ['a = 1', 3, 'use =='],
    ['foo(1)', 1, "unknown function 'foo'"],
    ['round()', 1, 'round() takes 1 to 2 arguments, got 0'],
    ['(1 + 2', 7, "expected ')'"],
    ['a b', 3, "unexpected 'b'"],
    ['', 1, 'empty expression'],
  ])('%j -> column %i: %s', (src, column, text) => {
    const err = syntaxError(src);
    expect(err.column).toBe(column);
    expect(err.message).toContain(text);
  });
});

describe('no escape from the sandbox', () => {
  it('prototype names read as null, never as functions or prototypes', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype']) {
      expect(evalOn(name, {})).toBe(null);
      expect(evalOn(`user.${name}`, { user: {} })).toBe(null);
      expect(evalOn(`user["${name}"]`, { user: {} })).toBe(null);
    }
  });

  it('an event that really has such a field reads it', () => {
    expect(evalOn('constructor', JSON.parse('{"constructor": "x"}'))).toBe('x');
    expect(evalOn('__proto__', JSON.parse('{"__proto__": 5}'))).toBe(5);
  });

  it('nothing but library functions can be called', () => {
    expect(syntaxError('constructor.constructor("return process")()').code).toBe('expr-not-callable');
    expect(syntaxError('user.toString()').code).toBe('expr-not-callable');
    expect(syntaxError('constructor("x")').code).toBe('expr-unknown-function');
    expect(syntaxError('toString.call(1)').code).toBe('expr-not-callable');
    expect(syntaxError('(1)(2)').code).toBe('expr-not-callable');
  });

  it('this, globals and the host are just missing fields', () => {
    for (const src of ['this', 'globalThis', 'process', 'window', 'require', 'globalThis.process.exit', 'process.env.HOME']) {
      expect(evalOn(src)).toBe(null);
    }
  });

  it('results never expose functions', () => {
    expect(evalOn('[len, lower]')).toEqual([null, null]);
  });
});

describe('limits', () => {
  it('5,000-deep nesting is a clean error, not a stack overflow', () => {
    for (const src of ['('.repeat(4000) + '1' + ')'.repeat(4000), '-'.repeat(5000) + '1', '!'.repeat(5000) + 'true', `${'a+'.repeat(4900)}a`, `${'['.repeat(4000)}${']'.repeat(4000)}`]) {
      const err = syntaxError(src);
      expect(['expr-too-deep', 'expr-too-long']).toContain(err.code);
    }
    expect(syntaxError('('.repeat(4000) + '1' + ')'.repeat(4000)).code).toBe('expr-too-deep');
  });

  it('a source over the length limit is refused', () => {
    expect(syntaxError(`${'1+'.repeat(6000)}1`).code).toBe('expr-too-long');
  });

  it('200 levels are fine', () => {
    expect(evalOn(`${'('.repeat(150)}1${')'.repeat(150)}`)).toBe(1);
  });
});

describe('checker', () => {
  const schema = { fields: { amount: 'number', name: 'string', user: 'object' }, open: false } as const;

  it('flags unknown params and fields, with columns', () => {
    const r = checkExpression('amout > params.limt', { params: { limit: 'number' }, schema: { ...schema, fields: { ...schema.fields } } });
    expect(r.issues.map((i) => [i.code, i.column])).toEqual([
      ['expr-unknown-field', 1],
      ['expr-unknown-param', 9],
    ]);
    expect(r.issues[1]!.message).toContain('declared: limit');
  });

  it('flags type mismatches known before anything runs', () => {
    expect(checkExpression('amount > "x"', { params: {}, schema: { ...schema, fields: { ...schema.fields } } }).issues[0]!.code).toBe('expr-type');
    expect(checkExpression('lower(amount)', { params: {}, schema: { ...schema, fields: { ...schema.fields } } }).issues[0]!.code).toBe('expr-type');
    expect(checkExpression('amount > params.t', { params: { t: 'string' } }).issues).toHaveLength(0); // field type unknown without a schema
  });

  it('knows result types and fields read', () => {
    const r = checkExpression('user.country == "FR" && amount > 1', { params: {}, schema: { ...schema, fields: { ...schema.fields } } });
    expect(r.issues).toEqual([]);
    expect(r.type).toBe('boolean');
    expect(r.fields.sort()).toEqual(['amount', 'user.country']);
  });

  it('an open schema accepts fields it does not list', () => {
    expect(checkExpression('whatever > 1', { params: {}, schema: { fields: {}, open: true } }).issues).toEqual([]);
  });
});
