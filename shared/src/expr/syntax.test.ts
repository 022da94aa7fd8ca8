import { describe, expect, it } from 'vitest';
import { compileExpression, ExprSyntaxError, MAX_DEPTH, MAX_SOURCE_LENGTH, parseExpression } from './api.js';

const evalOn = (src: string, event: Record<string, unknown> = {}) => compileExpression(src, { params: {} })(Object.freeze(event));

const syntaxError = (src: string) => {
  const r = parseExpression(src);
  if (r.ok) throw new Error(`expected a syntax error for ${src}`);
  return r.error;
};

describe('precedence (each value computed by hand)', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['2 * 3 % 4', 2],
    ['7 % 4 * 2', 6],
    ['-2 * 3', -6],
    ['-(2 + 3) * 2', -10],
    ['-3 % 2', -1],
    ['1 - -1', 2],
    ['- - 3', 3],
    ['1 + 2 < 4', true],
    ['2 < 3 == 3 < 4', true],
    ['1 == 1 && 2 == 3', false],
    ['true || false && false', true],
    ['(true || false) && false', false],
    ['false && true || true', true],
    ['!true || true', true],
    ['!(true || true)', false],
    ['!!true', true],
    ['1 < 2 ? 10 : 20', 10],
    ['false ? 1 : true ? 2 : 3', 2],
    ['true ? false ? 1 : 2 : 3', 2],
    ['true || false ? "a" : "b"', 'a'],
    ['false ? 1 : 2 + 3', 5],
    ['1 + 1 in [2, 3]', true],
    ['2 in [1, 2] == true', true],
    ['2 in [1, 2] && 3 not in [1, 2]', true],
    ['"a" + "b" + 1 + 2', 'ab12'],
    ['1 + 2 + "a"', '3a'],
    ['"a" + 1 * 2', 'a2'],
    ['[1, 2][1] + 1', 3],
    ['-len("abc")', -3],
  ])('%s = %j', (src, want) => expect(evalOn(src)).toEqual(want));
});

describe('literals', () => {
  it.each([
    ['42', 42],
    ['3.5', 3.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['2.5E-1', 0.25],
    ['"text"', 'text'],
    ["'text'", 'text'],
    ['"say \\"hi\\""', 'say "hi"'],
    ["'it\\'s'", "it's"],
    ['"a\\nb\\t\\\\"', 'a\nb\t\\'],
    ['"\\u00e9"', 'é'],
    ['"it\'s"', "it's"],
    ['true', true],
    ['false', false],
    ['null', null],
    ['[]', []],
    ['[1, "a", [true, null]]', [1, 'a', [true, null]]],
  ])('%s', (src, want) => expect(evalOn(src)).toEqual(want));

  it('parses to an AST with 1-based columns', () => {
    const r = parseExpression('a + 1');
    expect(r).toEqual({
      ok: true,
      ast: { kind: 'binary', op: '+', col: 3, left: { kind: 'field', path: ['a'], col: 1 }, right: { kind: 'literal', value: 1, col: 5 } },
    });
  });

  it('reads item["odd name"] as the field path item / odd name', () => {
    const r = parseExpression('item["odd name"].x');
    expect(r.ok && r.ast).toEqual({ kind: 'field', path: ['item', 'odd name', 'x'], col: 1 });
  });
});

describe('syntax errors say what and where (1-based column)', () => {
  it.each([
    ['amount > ', 'unexpected end of expression at column 10'],
    ['amount >> 3', "unexpected '>' at column 9"],
    ['1 +* 2', "unexpected '*' at column 4"],
    ['"abc', 'unterminated string at column 1 (add the closing ")'],
    ["x == 'it\\'s", "unterminated string at column 6 (add the closing ')"],
    ['a = 1', "unexpected character '=' at column 3 (use == to compare)"],
    ['a === 1', "unexpected character '=' at column 5 (there is no === or !==: use == or !=)"],
    ['a & b', "unexpected character '&' at column 3 (use &&)"],
    ['@x', "unexpected character '@' at column 1"],
    ['round()', 'round() takes 1 or 2 arguments, got 0 at column 1 (round(x, digits?))'],
    ['1 + lower("a", "b")', 'lower() takes 1 argument, got 2 at column 5 (lower(s))'],
    ['(1 + 2', "expected ')' but found end of expression at column 7 (to close the '(' at column 1)"],
    ['[1, 2', "expected ']' but found end of expression at column 6 (to close the '[' at column 1)"],
    ['a ? b', "expected ':' but found end of expression at column 6 (to go with the '?' at column 3)"],
    ['a b', "unexpected 'b' at column 3 (an operator is missing before it)"],
    ['(a))', "unexpected ')' at column 4 (no ( to close)"],
    ['user.', "expected a field name after '.' but found end of expression at column 6"],
    ['params', "'params' alone is not a value at column 1 (use params.NAME)"],
    ['has(1)', 'has() takes a field, not a value at column 5 (e.g. has(user.country))'],
    ['in [1]', "unexpected 'in' at column 1 (it needs a value on its left)"],
    ['1e999', 'number 1e999 is too large at column 1'],
    ['"a\\qb"', "unknown escape '\\q' in string at column 3 (known: \\n \\t \\r \\\" \\' \\\\ \\uXXXX)"],
    ['', 'empty expression at column 1'],
    ['   ', 'empty expression at column 1'],
  ])('%j -> %s', (src, message) => {
    const err = syntaxError(src);
    expect(err.message).toBe(message);
    expect(err.column).toBe(Number(/at column (\d+)/.exec(message)![1]));
    expect(err.severity).toBe('error');
  });

  it('names an unknown function and lists the known ones', () => {
    const err = syntaxError('x + foo(1)');
    expect(err.code).toBe('expr-unknown-function');
    expect(err.column).toBe(5);
    expect(err.message).toMatch(/^unknown function 'foo' at column 5 \(known: abs, round, .*startsWith, endsWith.*now.*\)$/);
  });

  it('gives codes for arity and syntax', () => {
    expect(syntaxError('round()').code).toBe('expr-arity');
    expect(syntaxError('a b').code).toBe('expr-syntax');
  });

  it('compileExpression throws ExprSyntaxError with column and code', () => {
    expect(() => compileExpression('amount > ', { params: {} })).toThrow(ExprSyntaxError);
    try {
      compileExpression('amount > ', { params: {} });
    } catch (err) {
      expect(err).toMatchObject({ column: 10, code: 'expr-syntax', message: 'unexpected end of expression at column 10' });
    }
  });
});

describe('limits: long and deep input is a clean error, never a stack overflow', () => {
  const cases: [string, string, number][] = [
    ['4,999 parentheses', `${'('.repeat(4999)}1${')'.repeat(4999)}`, MAX_DEPTH + 1],
    ['5,000 unclosed parentheses', `${'('.repeat(5000)}1`, MAX_DEPTH + 1],
    ['5,000 minus signs', `${'-'.repeat(5000)}1`, MAX_DEPTH],
    ['5,000 nots', `${'!'.repeat(5000)}true`, MAX_DEPTH],
    ['2,400 a+(a+(...', `${'a+('.repeat(2400)}a${')'.repeat(2400)}`, 301],
    ['a chain of 4,900 +', `${'a+'.repeat(4900)}a`, 2 * MAX_DEPTH],
    ['4,000 nested lists', `${'['.repeat(4000)}${']'.repeat(4000)}`, MAX_DEPTH + 1],
    ['1,900 nested calls', `${'abs('.repeat(1900)}1${')'.repeat(1900)}`, 4 * MAX_DEPTH + 1],
    ['a path of 3,000 names', `a${'.b'.repeat(3000)}`, 2 * MAX_DEPTH + 1],
    ['a ternary chain', `${'a ? 1 : '.repeat(1200)}2`, 8 * MAX_DEPTH - 3],
  ];
  it.each(cases)('%s', (_name, src, column) => {
    expect(src.length).toBeLessThanOrEqual(MAX_SOURCE_LENGTH);
    const err = syntaxError(src);
    expect(err.code).toBe('expr-too-deep');
    expect(err.column).toBe(column);
    expect(err.message).toContain(`nested too deeply at column ${column} (more than ${MAX_DEPTH} levels`);
    expect(() => compileExpression(src, { params: {} })).toThrow(ExprSyntaxError);
  });

  it('counts chains through every precedence level (a deep AST from short chains)', () => {
    // Chains of 40 at each of six levels, wrapped in parentheses, give a tree far taller than 200.
    let src = 'a';
    for (let i = 0; i < 8; i++) src = `(${src})${['*a', '+a', '<a', '==a', '&&a', '||a'].map((op) => op.repeat(40)).join('')}`;
    expect(src.length).toBeLessThan(MAX_SOURCE_LENGTH);
    expect(syntaxError(src).code).toBe('expr-too-deep');
  });

  it('accepts nesting up to the limit', () => {
    expect(evalOn(`${'('.repeat(MAX_DEPTH - 1)}1${')'.repeat(MAX_DEPTH - 1)}`)).toBe(1);
    expect(evalOn(`${'-'.repeat(MAX_DEPTH - 2)}1`)).toBe(1);
    expect(evalOn(`${'a+'.repeat(MAX_DEPTH - 2)}a`, { a: 1 })).toBe(MAX_DEPTH - 1);
    // A long list is wide, not deep.
    expect(evalOn(`3 in [${Array.from({ length: 2000 }, (_, i) => i).join(',')}]`)).toBe(true);
  });

  it('5,000 closed parentheses are over the length limit: also a clean error', () => {
    expect(syntaxError(`${'('.repeat(5000)}1${')'.repeat(5000)}`).code).toBe('expr-too-long');
  });

  it('refuses a source over the length limit, and accepts one at it', () => {
    const err = syntaxError(`${'1+'.repeat(6000)}1`);
    expect(err).toMatchObject({ code: 'expr-too-long', column: MAX_SOURCE_LENGTH + 1 });
    expect(err.message).toBe('expression is too long at column 10001 (12001 characters, at most 10000)');
    const atLimit = `"${'x'.repeat(MAX_SOURCE_LENGTH - 2)}"`;
    expect(evalOn(atLimit)).toHaveLength(MAX_SOURCE_LENGTH - 2);
  });
});
