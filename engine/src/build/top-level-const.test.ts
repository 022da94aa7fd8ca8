import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { constTopLevel } from './top-level-const.js';

describe('constTopLevel (the bundle keeps its never-assigned top-level vars const)', () => {
  it('makes a never-assigned top-level var const, at the same length', () => {
    const code = [
      'var EVENT_TIME = Symbol.for("t");',
      'var NONE = -1;',
      'function f(e) { return e[EVENT_TIME] ?? NONE; }',
      'export { f };',
    ].join('\n');
    const out = constTopLevel(code, ts);
    expect(out.converted).toBe(2);
    expect(out.code).toBe(
      ['const EVENT_TIME=Symbol.for("t");', 'const NONE=-1;', 'function f(e) { return e[EVENT_TIME] ?? NONE; }', 'export { f };'].join(
        '\n',
      ),
    );
    expect(out.code.length).toBe(code.length);
  });

  it('leaves a var that anything assigns, in any scope or form', () => {
    const code = [
      'var a = 1;',
      'var b = 2;',
      'var c = 3;',
      'var d = 4;',
      'var e = 5;',
      'var f = 6;',
      'var g = { x: 1 };',
      'function h() { let a; a = 2; b += 1; c++; [d] = [1]; ({ k: e } = {}); for (f of []) ; g.x = 2; }',
    ].join('\n');
    const out = constTopLevel(code, ts);
    // Only g: a member assignment does not rebind it.
    expect(out.converted).toBe(1);
    expect(out.code.split('\n').slice(0, 7)).toEqual([
      'var a = 1;',
      'var b = 2;',
      'var c = 3;',
      'var d = 4;',
      'var e = 5;',
      'var f = 6;',
      'const g={ x: 1 };',
    ]);
  });

  it('leaves vars without an initializer, declared twice, or several in one statement; and let, const and nested vars', () => {
    const code = [
      'var lazy;',
      'var twice = 1;',
      'var twice = 2;',
      'var p = 1, q = 2;',
      'let l = 1;',
      'const k = 1;',
      'function f() { var inner = 1; return inner; }',
    ].join('\n');
    expect(constTopLevel(code, ts)).toEqual({ code, converted: 0 });
  });
});
