import { describe, expect, it } from 'vitest';
import { compileExpression, ExprEvalError, ExprSyntaxError } from './api.js';

type Params = Record<string, number | string | boolean>;
const evalOn = (src: string, event: Record<string, unknown> = {}, params: Params = {}) =>
  compileExpression(src, { params, now: () => 1234 })(Object.freeze(event));

const EVENT = Object.freeze({
  amount: 5,
  price: 2.5,
  name: 'bob',
  zero: 0,
  flag: true,
  nothing: null,
  tags: Object.freeze(['a', 'b']),
  user: Object.freeze({ country: 'FR', address: Object.freeze({ city: 'Lyon' }), 'odd name': 3 }),
});
const on = (src: string) => evalOn(src, EVENT);

describe('operators', () => {
  it.each([
    ['amount + 1', 6],
    ['amount - 7', -2],
    ['amount * price', 12.5],
    ['amount / 2', 2.5],
    ['amount % 3', 2],
    ['-amount', -5],
    ['!flag', false],
    ['amount == 5', true],
    ['5 == amount', true],
    ['name == "bob"', true],
    ['"bob" != name', false],
    ['flag == true', true],
    ['amount != 5', false],
    ['1 == "1"', false],
    ['tags == ["a", "b"]', true],
    ['tags == ["b", "a"]', false],
    ['user.address == user.address', true],
    ['amount < 5', false],
    ['amount <= 5', true],
    ['amount > 4.5', true],
    ['amount >= 6', false],
    ['price < amount', true],
    ['"apple" < "banana"', true],
    ['name >= "bob"', true],
    ['flag && amount > 1', true],
    ['flag && amount > 9', false],
    ['!flag || amount > 9', false],
    ['amount > 9 || flag', true],
    ['flag ? "y" : "n"', 'y'],
  ])('%s = %j', (src, want) => expect(on(src)).toEqual(want));

  it('&&, || and ?: evaluate only what they need', () => {
    // The right side would be a type error if it ran.
    expect(on('!flag && name * 2 > 1')).toBe(false);
    expect(on('flag || name * 2 > 1')).toBe(true);
    expect(on('flag ? 1 : name * 2')).toBe(1);
    expect(on('!flag ? name * 2 : 2')).toBe(2);
    expect(() => on('flag && name * 2 > 1')).toThrow(ExprEvalError);
  });
});

describe('fields', () => {
  it('reads plain, dotted, bracketed and indexed fields', () => {
    expect(on('amount')).toBe(5);
    expect(on('user.country')).toBe('FR');
    expect(on('user.address.city')).toBe('Lyon');
    expect(on('user["odd name"]')).toBe(3);
    expect(on('user["address"]["city"]')).toBe('Lyon');
    expect(on('tags[0]')).toBe('a');
    expect(on('tags[-1]')).toBe('b');
    expect(on('tags[1 + 0]')).toBe('b');
    expect(on('user[name == "bob" ? "country" : "x"]')).toBe('FR');
    expect(on('tags')).toEqual(['a', 'b']);
    expect(evalOn('prénom + ville_2', { prénom: 'Zoé', ville_2: '!' })).toBe('Zoé!');
  });

  it('a missing field, or a path through something that is not an object, reads as null', () => {
    for (const src of [
      'missing',
      'missing.deeper.still',
      'user.missing',
      'amount.x',
      'name.length',
      'tags[5]',
      'tags[0.5]',
      'user[0]',
      'nothing',
      'nothing.x',
    ]) {
      expect(on(src)).toBe(null);
    }
    expect(evalOn('x', { x: undefined })).toBe(null);
  });
});

describe('null', () => {
  it.each([
    ['missing + 1', null],
    ['1 - missing', null],
    ['missing * 2 - 1', null],
    ['missing / 2', null],
    ['missing % 2', null],
    ['-missing', null],
    ['"a" + missing', null],
    ['missing == null', true],
    ['nothing == null', true],
    ['null == null', true],
    ['missing != null', false],
    ['missing == 0', false],
    ['missing == ""', false],
    ['missing != 0', true],
    ['missing > 1', false],
    ['missing <= 1', false],
    ['1 < missing', false],
    ['missing < missing', false],
    ['missing && true', false],
    ['missing || true', true],
    ['!missing', true],
    ['missing ? 1 : 2', 2],
  ])('%s = %j', (src, want) => expect(on(src)).toEqual(want));

  it('refuses to build text longer than 1,000,000 characters: an error of the event, not a RangeError', () => {
    const half = 'x'.repeat(500_000);
    expect(evalOn('s + s', { s: half })).toHaveLength(1_000_000);
    expect(() => evalOn('s + s + "!"', { s: half })).toThrow(
      new ExprEvalError('the text would be 1,000,001 characters long (the limit is 1,000,000)', 7),
    );
    expect(() => evalOn('s + n', { s: half + half, n: 7 })).toThrow(ExprEvalError);
    // 1,000 "ab" becoming 1,000 copies of 1,001 characters: 1,001,000.
    const ab = 'ab'.repeat(1000);
    expect(() => evalOn('replace(s, "a", t)', { s: ab, t: 'y'.repeat(1000) })).toThrow(
      new ExprEvalError('the text would be 1,001,000 characters long (the limit is 1,000,000)'),
    );
    expect(evalOn('replace(s, "a", "")', { s: ab })).toBe('b'.repeat(1000));
  });
});

describe('division by zero gives null', () => {
  it.each([
    ['amount / 0', null],
    ['amount / zero', null],
    ['0 / 0', null],
    ['amount % zero', null],
    ['coalesce(amount / zero, -1)', -1],
  ])('%s = %j', (src, want) => expect(on(src)).toEqual(want));
});

describe('in and not in', () => {
  it.each([
    ['user.country in ["FR", "DE"]', true],
    ['user.country in ["US"]', false],
    ['user.country not in ["US"]', true],
    ['"a" in tags', true],
    ['"c" in tags', false],
    ['"c" not in tags', true],
    ['"ob" in name', true],
    ['"x" in name', false],
    ['amount in [1, amount, 9]', true],
    ['5 in ["5"]', false],
    ['null in [1, null]', true],
    ['missing in [1, 2]', false],
    ['missing not in [1, 2]', true],
    ['[1] in [[1], [2]]', true],
    ['tags in [["a", "b"]]', true],
    ['"a" in missing', false],
    ['"a" not in missing', true],
    ['missing in name', false],
  ])('%s = %j', (src, want) => expect(on(src)).toEqual(want));

  it('a right side that is neither list nor text is a type error', () => {
    expect(() => on('1 in amount')).toThrow(/'in' needs a string or a list on the right, got the number 5/);
    expect(() => on('1 in name')).toThrow(/a string can only contain a string, not the number 1/);
  });
});

describe('string concatenation with +', () => {
  it.each([
    ['"a" + "b"', 'ab'],
    ['name + ":" + amount', 'bob:5'],
    ['amount + " items"', '5 items'],
    ['"x" + 1.5', 'x1.5'],
    ['"is " + flag', 'is true'],
    ['1 + 2 + "a"', '3a'],
    ['"a" + (1 + 2)', 'a3'],
  ])('%s = %j', (src, want) => expect(on(src)).toEqual(want));
});

describe('type errors while evaluating one event are ExprEvalError (code expr-eval)', () => {
  it.each([
    ['"x" - 1', 'cannot compute the string "x" - the number 1 at column 5'],
    ['name * 2', 'cannot compute the string "bob" * the number 2 at column 6'],
    ['name > 3', 'cannot compare the string "bob" > the number 3 at column 6'],
    ['flag < 1', 'cannot compare the boolean true < the number 1 at column 6'],
    ['tags > 1', 'cannot compare a list > the number 1 at column 6'],
    ['flag + 1', 'cannot add the boolean true and the number 1 at column 6'],
    ['tags + "x"', 'cannot add a list and the string "x" at column 6'],
    ['user + 1', 'cannot add an object and the number 1 at column 6'],
    ['-name', 'cannot negate the string "bob" at column 1'],
    ['name && true', '\'&&\' needs true or false, got the string "bob" at column 1'],
    ['!flag || 1', "'||' needs true or false, got the number 1 at column 10"],
    ['!amount', "'!' needs true or false, got the number 5 at column 2"],
    ['amount ? 1 : 2', 'the condition of ?: needs true or false, got the number 5 at column 1'],
    ['lower(amount)', 'lower() needs a string, got the number 5'],
    ['len(amount)', 'len() needs a string or a list, got the number 5'],
    ['abs(name)', 'abs() needs a number, got the string "bob"'],
    ['concat("a", tags)', 'concat() cannot make text of a list'],
  ])('%s: %s', (src, message) => {
    let caught: unknown;
    try {
      on(src);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExprEvalError);
    expect(caught).toMatchObject({ code: 'expr-eval', message });
  });

  it('only the event with the bad value fails', () => {
    const f = compileExpression('amount * 2', { params: {} });
    expect(f({ amount: 2 })).toBe(4);
    expect(() => f({ amount: 'oops' })).toThrow(ExprEvalError);
    expect(f({ amount: 3 })).toBe(6);
  });

  it('a constant error is still reported per event, not at compile time', () => {
    const f = compileExpression('1 - "x"', { params: {} });
    expect(() => f({})).toThrow(ExprEvalError);
  });
});

describe('params', () => {
  it('are bound as constants when compiling', () => {
    const params: Params = { limit: 4, country: 'FR', strict: true };
    const f = compileExpression('amount > params.limit && user.country == params.country && params.strict', { params });
    expect(f(EVENT)).toBe(true);
    params.limit = 100; // too late: already bound
    expect(f(EVENT)).toBe(true);
    expect(evalOn('params.strict ? 1 : 2', {}, { strict: false })).toBe(2);
    expect(evalOn('round(params.pct / 100 * 3, 2)', {}, { pct: 10 })).toBe(0.3);
  });

  it('an unknown param does not compile', () => {
    expect(() => compileExpression('amount > params.nope', { params: { limit: 1 } })).toThrow(ExprSyntaxError);
    try {
      compileExpression('amount > params.nope', { params: { limit: 1 } });
    } catch (err) {
      expect(err).toMatchObject({ code: 'expr-unknown-param', column: 10, message: "unknown param 'nope' at column 10 (declared: limit)" });
    }
  });
});

describe('compile-time work', () => {
  it('constant values are computed once and shared frozen', () => {
    const f = compileExpression('[1, 2 * 3]', { params: {} });
    const a = f({});
    expect(a).toEqual([1, 6]);
    expect(f({})).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('lists with fields are built per event', () => {
    const f = compileExpression('[amount, name]', { params: {} });
    expect(f({ amount: 1, name: 'x' })).toEqual([1, 'x']);
    expect(f({ amount: 2 })).toEqual([2, null]);
  });
});
