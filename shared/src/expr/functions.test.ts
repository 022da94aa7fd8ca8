import { describe, expect, it } from 'vitest';
import { compileExpression, FUNCTIONS } from './api.js';

const EVENT = Object.freeze({
  amount: -7.25,
  name: '  Bob  ',
  tags: Object.freeze(['a', 'b', 'c']),
  user: Object.freeze({ country: null }),
});
const on = (src: string, now: () => number = () => 1234) => compileExpression(src, { params: {}, now })(EVENT);

describe('library functions', () => {
  it.each([
    ['abs(-3)', 3],
    ['abs(amount)', 7.25],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['round(2.4)', 2],
    ['round(-0.4)', 0],
    ['round(3.14159, 2)', 3.14],
    ['round(1.005, 2)', 1.01],
    ['round(amount, 1)', -7.3],
    ['round(1234.5, -2)', 1200],
    ['floor(2.7)', 2],
    ['floor(-2.1)', -3],
    ['ceil(2.1)', 3],
    ['sqrt(16)', 4],
    ['sqrt(-1)', null],
    ['min(3, 1, 2)', 1],
    ['min(7)', 7],
    ['max(3, missing, 5)', 5],
    ['max(missing, missing)', null],
    ['lower("AbC")', 'abc'],
    ['upper("abc")', 'ABC'],
    ['trim(name)', 'Bob'],
    ['len("abcd")', 4],
    ['len(tags)', 3],
    ['len("")', 0],
    ['contains("hello", "ell")', true],
    ['contains("hello", "x")', false],
    ['contains(tags, "b")', true],
    ['contains([1, 2], 3)', false],
    ['contains([[1]], [1])', true],
    ['startsWith("sluice", "sl")', true],
    ['startsWith("sluice", "ice")', false],
    ['endsWith("sluice", "ice")', true],
    ['substr("abcdef", 1, 3)', 'bcd'],
    ['substr("abcdef", 4)', 'ef'],
    ['substr("abcdef", -2)', 'ef'],
    ['substr("abc", 1, 99)', 'bc'],
    ['replace("a-b-c", "-", "+")', 'a+b+c'],
    ['replace("abc", "", "x")', 'abc'],
    ['split("a,b,,c", ",")', ['a', 'b', '', 'c']],
    ['coalesce(missing, null, 7)', 7],
    ['coalesce(missing)', null],
    ['coalesce(0, 7)', 0],
    ['concat("a", missing, 1, true)', 'a1true'],
    ['toNumber("42")', 42],
    ['toNumber(" 3.5 ")', 3.5],
    ['toNumber("x")', null],
    ['toNumber("")', null],
    ['toNumber(true)', 1],
    ['toNumber(tags)', null],
    ['toString(5)', '5'],
    ['toString(false)', 'false'],
    ['toString("s")', 's'],
    ['toString([1, "a"])', '[1,"a"]'],
    ['now()', 1234],
  ])('%s = %j', (src, want) => expect(on(src)).toEqual(want));

  it('a null argument gives null', () => {
    for (const src of [
      'abs(missing)',
      'round(missing)',
      'round(1.5, missing)',
      'lower(missing)',
      'len(missing)',
      'contains(missing, "a")',
      'startsWith(missing, "a")',
      'substr(missing, 1)',
      'split(missing, ",")',
      'toString(missing)',
      'toNumber(missing)',
    ]) {
      expect(on(src)).toBe(null);
    }
  });

  it('has() tests presence, even of a null field; a missing or non-object parent is absent', () => {
    expect(on('has(user.country)')).toBe(true);
    expect(on('has(user)')).toBe(true);
    expect(on('has(user.city)')).toBe(false);
    expect(on('has(missing.x)')).toBe(false);
    expect(on('has(name.length)')).toBe(false);
    expect(on('!has(missing)')).toBe(true);
    expect(on('has(tags.length)')).toBe(false);
  });

  it('coalesce() stops at the first non-null argument', () => {
    expect(on('coalesce(1, lower(5))')).toBe(1);
    expect(() => on('coalesce(missing, lower(5))')).toThrow(/lower\(\) needs a string/);
  });

  it('now() reads the injected clock per event, or Date.now by default', () => {
    let t = 10;
    const f = compileExpression('now() + 1', { params: {}, now: () => t });
    expect(f({})).toBe(11);
    t = 20;
    expect(f({})).toBe(21);
    const before = Date.now();
    const v = compileExpression('now()', { params: {} })({}) as number;
    expect(v).toBeGreaterThanOrEqual(before);
    expect(v).toBeLessThanOrEqual(Date.now());
  });

  it('FUNCTIONS describes each function for completions', () => {
    const required = [
      'abs',
      'round',
      'floor',
      'ceil',
      'min',
      'max',
      'lower',
      'upper',
      'len',
      'contains',
      'startsWith',
      'endsWith',
      'has',
      'now',
    ];
    for (const name of required) expect(Object.keys(FUNCTIONS)).toContain(name);
    expect(FUNCTIONS.round).toMatchObject({ signature: 'round(x, digits?)', minArgs: 1, maxArgs: 2 });
    expect(FUNCTIONS.max!.maxArgs).toBe(Number.POSITIVE_INFINITY);
    for (const f of Object.values(FUNCTIONS)) expect(f.doc.length).toBeGreaterThan(5);
    expect(Object.isFrozen(FUNCTIONS)).toBe(true);
  });
});
