/**
 * Closures for the operators. Each operator gets its own closure literal (no shared `cmp(a, b)`
 * indirection) whose fast path is the common case (two numbers, two booleans); nulls, text and
 * errors go to a slow helper that is only called off the fast path. No try/catch, no allocation.
 */
import type { BinaryOp } from './ast.js';
import { checkTextLength, describeValue, ExprEvalError, MAX_TEXT_LENGTH } from './errors.js';
import { contains } from './functions.js';
import { equal } from './values.js';

type Row = Readonly<Record<string, unknown>>;
export type Fn = (e: Row) => unknown;

/** true and false as they are; null counts as false; anything else is a type error. */
export function truthy(v: unknown, what: string, col: number): boolean {
  if (v === true) return true;
  if (v === false || v === null) return false;
  throw new ExprEvalError(`${what} needs true or false, got ${describeValue(v)}`, col);
}

/** `a op b` for anything but two numbers: null gives null, x / 0 gives null, else a type error. */
function arith(op: string, a: unknown, b: unknown, col: number): number | null {
  if (a === null || b === null) return null;
  if (typeof a !== 'number' || typeof b !== 'number')
    throw new ExprEvalError(`cannot compute ${describeValue(a)} ${op} ${describeValue(b)}`, col);
  return null; // only reached for a zero divisor
}

function plus(a: unknown, b: unknown, col: number): unknown {
  if (a === null || b === null) return null;
  const sa = typeof a === 'string';
  const sb = typeof b === 'string';
  if ((sa && (sb || typeof b === 'number' || typeof b === 'boolean')) || (sb && (typeof a === 'number' || typeof a === 'boolean'))) {
    const ta = String(a);
    const tb = String(b);
    checkTextLength(ta.length + tb.length, col);
    return ta + tb;
  }
  throw new ExprEvalError(`cannot add ${describeValue(a)} and ${describeValue(b)}`, col);
}

/** Ordering for anything but two numbers: null gives false, two strings compare, else a type error. */
function order(op: string, a: unknown, b: unknown, col: number): boolean {
  if (a === null || b === null) return false;
  if (typeof a !== 'string' || typeof b !== 'string')
    throw new ExprEvalError(`cannot compare ${describeValue(a)} ${op} ${describeValue(b)}`, col);
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

export function arithmeticFn(op: '+' | '-' | '*' | '/' | '%', l: Fn, r: Fn, col: number): Fn {
  switch (op) {
    case '+':
      return (e) => {
        const a = l(e);
        const b = r(e);
        if (typeof a === 'number' && typeof b === 'number') return a + b;
        // Text length is checked before concatenating (V8 would build a rope up to its own limit).
        return typeof a === 'string' && typeof b === 'string' && a.length + b.length <= MAX_TEXT_LENGTH ? a + b : plus(a, b, col);
      };
    case '-':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'number' && typeof b === 'number' ? a - b : arith(op, a, b, col);
      };
    case '*':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'number' && typeof b === 'number' ? a * b : arith(op, a, b, col);
      };
    case '/':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'number' && typeof b === 'number' && b !== 0 ? a / b : arith(op, a, b, col);
      };
    case '%':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'number' && typeof b === 'number' && b !== 0 ? a % b : arith(op, a, b, col);
      };
  }
}

export function orderFn(op: '<' | '<=' | '>' | '>=', l: Fn, r: Fn, col: number): Fn {
  switch (op) {
    case '<':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'number' && typeof b === 'number' ? a < b : order(op, a, b, col);
      };
    case '<=':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'number' && typeof b === 'number' ? a <= b : order(op, a, b, col);
      };
    case '>':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'number' && typeof b === 'number' ? a > b : order(op, a, b, col);
      };
    case '>=':
      return (e) => {
        const a = l(e);
        const b = r(e);
        return typeof a === 'number' && typeof b === 'number' ? a >= b : order(op, a, b, col);
      };
  }
}

/** `l op k` where k is a number known at compile time (`amount > 100`, `amount > params.min`). */
export function orderConstFn(op: '<' | '<=' | '>' | '>=', l: Fn, k: number, col: number): Fn {
  switch (op) {
    case '<':
      return (e) => {
        const a = l(e);
        return typeof a === 'number' ? a < k : order(op, a, k, col);
      };
    case '<=':
      return (e) => {
        const a = l(e);
        return typeof a === 'number' ? a <= k : order(op, a, k, col);
      };
    case '>':
      return (e) => {
        const a = l(e);
        return typeof a === 'number' ? a > k : order(op, a, k, col);
      };
    case '>=':
      return (e) => {
        const a = l(e);
        return typeof a === 'number' ? a >= k : order(op, a, k, col);
      };
  }
}

export function equalityFn(op: '==' | '!=', l: Fn, r: Fn): Fn {
  return op === '==' ? (e) => equal(l(e), r(e)) : (e) => !equal(l(e), r(e));
}

/**
 * `&&` and `||`, short-circuit. When both sides are known to give a boolean (comparisons,
 * `!`, `in`, `has`...) the checks are skipped.
 */
export function logicFn(op: '&&' | '||', l: Fn, r: Fn, lBool: boolean, rBool: boolean, lCol: number, rCol: number): Fn {
  if (lBool && rBool) return op === '&&' ? (e) => (l(e) as boolean) && (r(e) as boolean) : (e) => (l(e) as boolean) || (r(e) as boolean);
  if (op === '&&') return (e) => truthy(l(e), "'&&'", lCol) && truthy(r(e), "'&&'", rCol);
  return (e) => truthy(l(e), "'||'", lCol) || truthy(r(e), "'||'", rCol);
}

/**
 * Membership. `x in list` is true when an item == x; `x in text` tests for a substring. A null
 * list or text holds nothing, so `x in null` is false and `x not in null` is true.
 */
export function membershipFn(op: 'in' | 'not in', l: Fn, r: Fn, constant: { value: unknown } | undefined): Fn {
  const k = constant?.value;
  if (Array.isArray(k) && k.every((v) => v === null || typeof v !== 'object')) {
    // A literal list of scalars: one Set lookup, no per-event work on the list.
    const set = new Set<unknown>(k);
    return op === 'in' ? (e) => set.has(l(e)) : (e) => !set.has(l(e));
  }
  const what = op === 'in' ? "'in'" : "'not in'";
  return op === 'in' ? (e) => contains(what, r(e), l(e)) === true : (e) => contains(what, r(e), l(e)) !== true;
}

export const BOOLEAN_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['==', '!=', '<', '<=', '>', '>=', '&&', '||', 'in', 'not in']);
