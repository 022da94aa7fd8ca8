/**
 * AST -> nested closures; never eval, new Function or vm. Work is moved to compile time:
 * params are bound as constants, constant subtrees are folded once, field paths are split once,
 * and common shapes (`field == "x"`, `field > 10`, `x in [..]`) get direct closures.
 */
import type { ParamValue } from '../graph/document.js';
import type { Expr } from './ast.js';
import { describeValue, ExprEvalError, ExprSyntaxError } from './errors.js';
import { FUNCTIONS } from './functions.js';
import { arithmeticFn, BOOLEAN_OPS, equalityFn, type Fn, logicFn, membershipFn, orderConstFn, orderFn, truthy } from './operators.js';
import { fieldPathReader } from '../field-path.js';
import { INHERITED, readIndex } from './values.js';

export type { Fn };

export interface CompileContext {
  params: Readonly<Record<string, ParamValue>>;
  now: () => number;
}

interface Compiled {
  fn: Fn;
  /** Set when the value is the same for every event. */
  constant?: { value: unknown };
  /** Always gives true or false (never null or another type). */
  bool?: boolean;
  /** The path, for a plain field read. */
  path?: readonly string[];
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

export function compileAst(node: Expr, ctx: CompileContext): Fn {
  return compile(node, ctx).fn;
}

function constant(value: unknown): Compiled {
  // Shared by every event: frozen, so no consumer can change it for the next one.
  if (typeof value === 'object' && value !== null) Object.freeze(value);
  return { fn: () => value, constant: { value }, bool: typeof value === 'boolean' };
}

/** Evaluates a node whose inputs are all constant, once. One that fails stays per event, so the error reaches each event as usual. */
function fold(c: Compiled): Compiled {
  try {
    return constant(c.fn(EMPTY));
  } catch (err) {
    if (err instanceof ExprEvalError) return c;
    throw err;
  }
}

function compile(node: Expr, ctx: CompileContext): Compiled {
  switch (node.kind) {
    case 'literal':
      return constant(node.value);
    case 'field':
      return { fn: fieldPathReader(node.path), path: node.path };
    case 'param': {
      if (!Object.hasOwn(ctx.params, node.name)) {
        const known = Object.keys(ctx.params);
        throw new ExprSyntaxError(
          `unknown param '${node.name}'`,
          node.col,
          'expr-unknown-param',
          known.length ? `declared: ${known.join(', ')}` : 'no params are declared',
        );
      }
      return constant(ctx.params[node.name]);
    }
    case 'list': {
      const items = node.items.map((i) => compile(i, ctx));
      const fns = items.map((i) => i.fn);
      const n = fns.length;
      const c: Compiled = {
        fn: (e) => {
          const out = new Array<unknown>(n);
          for (let i = 0; i < n; i++) out[i] = fns[i]!(e);
          return out;
        },
      };
      return items.every((i) => i.constant) ? fold(c) : c;
    }
    case 'index': {
      const o = compile(node.object, ctx);
      const i = compile(node.index, ctx);
      const of = o.fn;
      const k = i.constant?.value;
      const c: Compiled = { fn: i.constant ? (e) => readIndex(of(e), k) : (e) => readIndex(of(e), i.fn(e)) };
      return o.constant && i.constant ? fold(c) : c;
    }
    case 'unary': {
      const a = compile(node.operand, ctx);
      const f = a.fn;
      const col = node.col;
      let c: Compiled;
      const operandCol = node.operand.col;
      if (node.op === '!') c = { fn: a.bool ? (e) => !f(e) : (e) => !truthy(f(e), "'!'", operandCol), bool: true };
      else c = { fn: (e) => negate(f(e), col) };
      return a.constant ? fold(c) : c;
    }
    case 'conditional': {
      const t = compile(node.test, ctx);
      const a = compile(node.then, ctx);
      const b = compile(node.otherwise, ctx);
      // A constant condition (often a param) picks its branch once.
      if (t.constant?.value === true) return a;
      if (t.constant?.value === false || (t.constant && t.constant.value === null)) return b;
      const [tf, af, bf, col] = [t.fn, a.fn, b.fn, node.test.col];
      const fn: Fn = t.bool ? (e) => (tf(e) ? af(e) : bf(e)) : (e) => (truthy(tf(e), 'the condition of ?:', col) ? af(e) : bf(e));
      return { fn, bool: !!(a.bool && b.bool) };
    }
    case 'call':
      return compileCall(node, ctx);
    case 'binary':
      return compileBinary(node, ctx);
  }
}

function negate(v: unknown, col: number): number | null {
  if (typeof v === 'number') return -v;
  if (v === null) return null;
  throw new ExprEvalError(`cannot negate ${describeValue(v)}`, col);
}

function compileCall(node: Extract<Expr, { kind: 'call' }>, ctx: CompileContext): Compiled {
  const impl = FUNCTIONS[node.name]!.impl;
  if (node.name === 'now') {
    const now = ctx.now;
    return { fn: () => now() };
  }
  if (node.name === 'has') return { fn: hasFn((node.args[0] as Extract<Expr, { kind: 'field' }>).path), bool: true };
  const args = node.args.map((a) => compile(a, ctx));
  const fs = args.map((a) => a.fn);
  let fn: Fn;
  if (node.name === 'coalesce') {
    // Lazy: an argument after the first non-null one is never evaluated.
    fn = (e) => {
      for (let i = 0; i < fs.length; i++) {
        const v = fs[i]!(e);
        if (v !== null) return v;
      }
      return null;
    };
  } else if (impl.kind === 'fold') {
    const { init, step } = impl;
    fn = (e) => {
      let acc = init;
      for (let i = 0; i < fs.length; i++) acc = step(acc, fs[i]!(e));
      return acc;
    };
  } else if (impl.kind === 'fixed') {
    const f = impl.fn;
    const [a0, a1, a2] = fs;
    if (fs.length === 1) fn = (e) => f(a0!(e));
    else if (fs.length === 2) fn = (e) => f(a0!(e), a1!(e));
    else fn = (e) => f(a0!(e), a1!(e), a2!(e));
  } else throw new Error(`no implementation for ${node.name}()`);
  const c: Compiled = { fn };
  return args.every((a) => a.constant) ? fold(c) : c;
}

function hasFn(path: readonly string[]): Fn {
  return (e) => {
    let v: unknown = e;
    for (let i = 0; i < path.length; i++) {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, path[i]!)) return false;
      v = (v as Record<string, unknown>)[path[i]!];
    }
    return v !== undefined && typeof v !== 'function';
  };
}

function compileBinary(node: Extract<Expr, { kind: 'binary' }>, ctx: CompileContext): Compiled {
  const l = compile(node.left, ctx);
  const r = compile(node.right, ctx);
  const c: Compiled = { fn: binaryFn(node, l, r), bool: BOOLEAN_OPS.has(node.op) };
  return l.constant && r.constant ? fold(c) : c;
}

function binaryFn(node: Extract<Expr, { kind: 'binary' }>, l: Compiled, r: Compiled): Fn {
  const { op, col } = node;
  switch (op) {
    case '&&':
    case '||':
      return logicFn(op, l.fn, r.fn, !!l.bool, !!r.bool, node.left.col, node.right.col);
    case '==':
    case '!=': {
      // The common filter: a one-name field against a text or number; either side may be the field.
      const [f, k] = l.path ? [l, r.constant?.value] : [r, l.constant?.value];
      const scalar = typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean';
      if (scalar && f.path?.length === 1 && !INHERITED.has(f.path[0]!)) {
        const name = f.path[0]!;
        return op === '==' ? (e) => e[name] === k : (e) => e[name] !== k;
      }
      if (scalar && f.path) {
        const read = f.fn;
        return op === '==' ? (e) => read(e) === k : (e) => read(e) !== k;
      }
      return equalityFn(op, l.fn, r.fn);
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
      return typeof r.constant?.value === 'number' ? orderConstFn(op, l.fn, r.constant.value, col) : orderFn(op, l.fn, r.fn, col);
    case 'in':
    case 'not in':
      return membershipFn(op, l.fn, r.fn, r.constant);
    default:
      return arithmeticFn(op, l.fn, r.fn, col);
  }
}
