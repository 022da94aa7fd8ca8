import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkExpression, compileExpression, ExprSyntaxError, parseExpression } from './api.js';

const evalOn = (src: string, event: Record<string, unknown> = {}) => compileExpression(src, { params: {} })(Object.freeze(event));

const refused = (src: string) => {
  const r = parseExpression(src);
  if (r.ok) throw new Error(`expected ${src} to be refused`);
  expect(() => compileExpression(src, { params: {} })).toThrow(ExprSyntaxError);
  expect(checkExpression(src, { params: {} }).issues[0]).toEqual(r.error);
  return r.error;
};

const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
];

describe('no escape from the sandbox', () => {
  it('calling anything but a library function is refused before running', () => {
    expect(refused('constructor.constructor("return process")()')).toMatchObject({
      code: 'expr-not-callable',
      column: 24,
      message: expect.stringMatching(/^'constructor.constructor' cannot be called at column 24 \(only library functions can: abs, /),
    });
    expect(refused('user.toString()').code).toBe('expr-not-callable');
    expect(refused('toString.call(1)').code).toBe('expr-not-callable');
    expect(refused('(1)(2)').code).toBe('expr-not-callable');
    expect(refused('lower("a")("b")').code).toBe('expr-not-callable');
    expect(refused('tags["map"](1)').code).toBe('expr-not-callable');
    expect(refused('process.exit()')).toMatchObject({ code: 'expr-not-callable', column: 13 });
    expect(refused('process.exit(1)').code).toBe('expr-not-callable');
  });

  it('prototype methods and host functions are not library functions', () => {
    for (const name of [
      ...PROTOTYPE_NAMES.filter((n) => n !== 'toString'),
      'eval',
      'Function',
      'require',
      'import',
      'fetch',
      'setTimeout',
    ]) {
      expect(refused(`${name}("x")`)).toMatchObject({ code: 'expr-unknown-function', column: 1 });
    }
  });

  it('prototype names read as null on events, nested objects and lists', () => {
    const event = { user: { name: 'x' }, tags: ['a'] };
    for (const name of PROTOTYPE_NAMES) {
      expect(evalOn(name, event)).toBe(null);
      expect(evalOn(`user.${name}`, event)).toBe(null);
      expect(evalOn(`user["${name}"]`, event)).toBe(null);
      expect(evalOn(`user.${name}.${name}`, event)).toBe(null);
      expect(evalOn(`tags.${name}`, event)).toBe(null);
      expect(evalOn(`tags[0].${name}`, event)).toBe(null);
      expect(evalOn(`has(${name})`, event)).toBe(false);
      expect(evalOn(`${name} == null`, event)).toBe(true);
    }
    for (const name of ['map', 'push', 'at', 'concat', 'length']) {
      expect(evalOn(`tags.${name}`, event)).toBe(null);
      expect(evalOn(`tags["${name}"]`, event)).toBe(null);
    }
    expect(evalOn('user[["constructor"][0]]', event)).toBe(null);
    expect(evalOn('user[lower("CONSTRUCTOR")]', event)).toBe(null);
  });

  it('an event that really has such a field reads its own value', () => {
    const event = JSON.parse('{"constructor": "x", "__proto__": {"polluted": 1}, "user": {"toString": 5}}');
    expect(evalOn('constructor', event)).toBe('x');
    expect(evalOn('__proto__.polluted', event)).toBe(1);
    expect(evalOn('user.toString', event)).toBe(5);
    expect(({} as Record<string, unknown>).polluted).toBe(undefined);
  });

  it('this, globals and the host are just missing fields', () => {
    for (const src of [
      'this',
      'globalThis',
      'global',
      'window',
      'self',
      'document',
      'process',
      'require',
      'module',
      'globalThis.process.exit',
      'process.env.HOME',
      'process.mainModule',
      'this.constructor',
    ]) {
      expect(evalOn(src)).toBe(null);
    }
  });

  it('params are looked up as own names only', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => compileExpression(`params.${name}`, { params: { limit: 1 } })).toThrow(/unknown param/);
      expect(checkExpression(`params.${name}`, { params: { limit: 'number' } }).issues[0]?.code).toBe('expr-unknown-param');
    }
  });

  it('results never expose functions', () => {
    const event = { f: () => 1, nested: { g: () => 2 }, list: [() => 3] };
    expect(evalOn('[len, lower, f, nested.g]', event)).toEqual([null, null, null, null]);
    expect(evalOn('coalesce(constructor, f, nested.g, 1)', event)).toBe(1);
    expect(evalOn('list[0]', event)).toBe(null);
    expect(evalOn('has(f)', event)).toBe(false);
    expect(evalOn('f == null', event)).toBe(true);
  });

  it('never writes to the objects it reads', () => {
    const event = Object.freeze({ a: Object.freeze({ b: 1 }) });
    expect(evalOn('a.b + 1', event)).toBe(2);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('the implementation uses no eval, Function constructor, vm or Node modules', () => {
    const dir = new URL('.', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThanOrEqual(8);
    for (const file of sources) {
      // Code only: the comments say "never eval".
      const text = readFileSync(new URL(file, dir), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(text, file).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(|\bvm\b|from\s+'node:|require\(/);
    }
  });
});
