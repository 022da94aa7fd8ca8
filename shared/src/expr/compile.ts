/**
 * AST -> nested closures (no eval, no new Function, no vm). Param values are bound as constants;
 * literal subtrees fold; common shapes (`field == "x"`, `field > 10`) get direct closures.
 * Field reads see the event's own properties only: `constructor`, `__proto__` and friends read
 * as null unless the event really has such a field.
 */
import type { ParamValue } from '../graph/document.js';
import type { Expr } from './ast.js';
import { ExprEvalError, ExprSyntaxError } from './expr-errors.js';
import { contains, FUNCTIONS, typeName } from './library.js';

type Row = Readonly<Record<string, unknown>>;
export type Fn = (e: Row) => unknown;

/** Names an object inherits from Object.prototype: read them only as own properties. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

export interface CompileContext {
  params: Record<string, ParamValue>;
  now: () => number;
}

function readOwn(o: unknown, key: string): unknown {
  if (o === null || typeof o !== 'object' || !Object.hasOwn(o, key)) return null;
  const v = (o as Record<string, unknown>)[key];
  return v === undefined || typeof v === 'function' ? null : v;
}

export function fieldFn(path: readonly string[]): Fn {
  if (path.length === 1) {
    const k = path[0]!;
    if (INHERITED.has(k)) return (e) => readOwn(e, k);
    return (e) => {
      const v = e[k];
      return v === undefined ? null : v;
    };
  }
  return (e) => {
    let v: unknown = e;
    for (const k of path) v = readOwn(v, k);
    return v;
  };
}

export function compileAst(node: Expr, ctx: CompileContext): Fn {
  switch (node.kind) {
    case 'literal': {
      const v = node.value;
      return () => v;
    }
    case 'list': {
      const items = node.items.map((i) => compileAst(i, ctx));
      return (e) => items.map((f) => f(e));
    }
    case 'field':
      return fieldFn(node.path);
    case 'param': {
      if (!Object.hasOwn(ctx.params, node.name)) throw new ExprSyntaxError(`unknown param '${node.name}'`, node.col, 'expr-unknown-param');
      const v = ctx.params[node.name];
      return () => v;
    }
    case 'index': {
      const obj = compileAst(node.object, ctx);
      const idx = compileAst(node.index, ctx);
      return (e) => {
        const o = obj(e);
        const i = idx(e);
        if (Array.isArray(o) && typeof i === 'number') return Number.isInteger(i) && i >= 0 && i < o.length ? (o[i] ?? null) : null;
        return typeof i === 'string' ? readOwn(o, i) : null;
      };
    }
    case 'unary': {
      const f = compileAst(node.operand, ctx);
      if (node.op === '!') return (e) => !truthy(f(e), '!');
      return (e) => {
        const v = f(e);
        if (v === null) return null;
        if (typeof v !== 'number') throw new ExprEvalError(`cannot negate ${typeName(v)}`);
        return -v;
      };
    }
    case 'conditional': {
      const t = compileAst(node.test, ctx);
      const a = compileAst(node.then, ctx);
      const b = compileAst(node.otherwise, ctx);
      return (e) => (truthy(t(e), '?:') ? a(e) : b(e));
    }
    case 'call':
      return compileCall(node, ctx);
    case 'binary':
      return compileBinary(node, ctx);
  }
}

function compileCall(node: Extract<Expr, { kind: 'call' }>, ctx: CompileContext): Fn {
  if (node.name === 'has') {
    const path = (node.args[0] as Extract<Expr, { kind: 'field' }>).path;
    return (e) => {
      let v: unknown = e;
      for (const k of path) {
        if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return false;
        v = (v as Record<string, unknown>)[k];
      }
      return true;
    };
  }
  const fn = FUNCTIONS[node.name]!;
  const args = node.args.map((a) => compileAst(a, ctx));
  const now = ctx.now;
  if (args.length === 1) {
    const a0 = args[0]!;
    return (e) => fn.impl([a0(e)], now);
  }
  return (e) => fn.impl(args.map((a) => a(e)), now);
}

function compileBinary(node: Extract<Expr, { kind: 'binary' }>, ctx: CompileContext): Fn {
  const l = compileAst(node.left, ctx);
  const r = compileAst(node.right, ctx);
  const lit = node.right.kind === 'literal' ? node.right.value : undefined;
  const simpleField = node.left.kind === 'field' && node.left.path.length === 1 && !INHERITED.has(node.left.path[0]!) ? node.left.path[0]! : undefined;
  switch (node.op) {
    case '&&':
      return (e) => truthy(l(e), '&&') && truthy(r(e), '&&');
    case '||':
      return (e) => truthy(l(e), '||') || truthy(r(e), '||');
    case '==':
      // Fast path for the most common filter: a field against a string or number literal.
      if (simpleField !== undefined && (typeof lit === 'string' || typeof lit === 'number')) return (e) => e[simpleField] === lit;
      return (e) => equal(l(e), r(e));
    case '!=':
      if (simpleField !== undefined && (typeof lit === 'string' || typeof lit === 'number')) return (e) => e[simpleField] !== lit;
      return (e) => !equal(l(e), r(e));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const cmp = COMPARE[node.op];
      if (simpleField !== undefined && typeof lit === 'number') {
        return (e) => {
          const v = e[simpleField];
          return typeof v === 'number' ? cmp(v, lit) : order(v === undefined ? null : v, lit, cmp, node.op);
        };
      }
      return (e) => order(l(e), r(e), cmp, node.op);
    }
    case 'in':
      return (e) => contains('in', r(e), l(e)) === true;
    case 'not in':
      return (e) => contains('not in', r(e), l(e)) === false;
    case '+':
      return (e) => plus(l(e), r(e));
    default: {
      const op = node.op;
      const f = ARITH[op]!;
      return (e) => {
        const a = l(e);
        const b = r(e);
        if (a === null || b === null) return null;
        if (typeof a !== 'number' || typeof b !== 'number') throw new ExprEvalError(`cannot compute ${typeName(a)} ${op} ${typeName(b)}`);
        if ((op === '/' || op === '%') && b === 0) throw new ExprEvalError('division by zero');
        return f(a, b);
      };
    }
  }
}

const COMPARE: Record<'<' | '<=' | '>' | '>=', (a: number | string, b: number | string) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};
const ARITH: Record<string, (a: number, b: number) => number> = {
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

/** Booleans as they are; null counts as false; anything else is a type error. */
function truthy(v: unknown, op: string): boolean {
  if (v === true) return true;
  if (v === false || v === null) return false;
  throw new ExprEvalError(`${op} needs true or false, got ${typeName(v)}`);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function order(a: unknown, b: unknown, cmp: (a: number | string, b: number | string) => boolean, op: string): boolean {
  if (a === null || b === null) return false;
  if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return cmp(a, b);
  throw new ExprEvalError(`cannot compare ${typeName(a)} ${op} ${typeName(b)}`);
}

function plus(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === null || b === null) return null;
  if (typeof a === 'string' || typeof b === 'string') {
    if (typeof a === 'object' || typeof b === 'object') throw new ExprEvalError(`cannot add ${typeName(a)} and ${typeName(b)}`);
    return `${a}${b}`;
  }
  throw new ExprEvalError(`cannot add ${typeName(a)} and ${typeName(b)}`);
}

/** Fold constant subtrees (no fields, no now()) into literals, once, at compile time. */
export function isConstant(node: Expr): boolean {
  switch (node.kind) {
    case 'literal':
    case 'param':
      return true;
    case 'list':
      return node.items.every(isConstant);
    case 'unary':
      return isConstant(node.operand);
    case 'binary':
      return isConstant(node.left) && isConstant(node.right);
    case 'conditional':
      return isConstant(node.test) && isConstant(node.then) && isConstant(node.otherwise);
    case 'call':
      return node.name !== 'now' && node.name !== 'has' && node.args.every(isConstant);
    default:
      return false;
  }
}
