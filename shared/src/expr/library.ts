/**
 * The function library. Each function states its arity, its result type for the checker, and
 * its implementation over plain values; null in gives null out unless said otherwise.
 */
import type { FieldType } from '../schema/event-schema.js';
import { ExprEvalError } from './expr-errors.js';

export interface LibraryFunction {
  signature: string;
  doc: string;
  minArgs: number;
  maxArgs: number;
  /** Static result type; `arg0` means the type of the first argument. */
  returns: FieldType | 'arg0';
  /** Expected argument types for the checker ('any' accepts all). */
  params: FieldType[];
  impl: (args: unknown[], now: () => number) => unknown;
}

const num = (name: string, v: unknown): number | null => {
  if (v === null) return null;
  if (typeof v !== 'number') throw new ExprEvalError(`${name}() needs a number, got ${typeName(v)}`);
  return v;
};
const str = (name: string, v: unknown): string | null => {
  if (v === null) return null;
  if (typeof v !== 'string') throw new ExprEvalError(`${name}() needs a string, got ${typeName(v)}`);
  return v;
};
const math1 = (name: string, f: (x: number) => number) => (a: unknown[]) => {
  const x = num(name, a[0]);
  return x === null ? null : f(x);
};
const str1 = (name: string, f: (s: string) => unknown) => (a: unknown[]) => {
  const s = str(name, a[0]);
  return s === null ? null : f(s);
};

function extreme(name: string, pick: (a: number, b: number) => number) {
  return (args: unknown[]) => {
    let best: number | null = null;
    for (const v of args) {
      const x = num(name, v);
      if (x !== null) best = best === null ? x : pick(best, x);
    }
    return best;
  };
}

const DEFINITIONS: Record<string, LibraryFunction> = {
  abs: { signature: 'abs(x)', doc: 'absolute value', minArgs: 1, maxArgs: 1, returns: 'number', params: ['number'], impl: math1('abs', Math.abs) },
  round: {
    signature: 'round(x, digits?)',
    doc: 'round half away from zero, to `digits` decimals (default 0)',
    minArgs: 1,
    maxArgs: 2,
    returns: 'number',
    params: ['number', 'number'],
    impl: (a) => {
      const x = num('round', a[0]);
      const d = a.length > 1 ? num('round', a[1]) : 0;
      if (x === null || d === null) return null;
      const f = 10 ** Math.trunc(d);
      return (Math.sign(x) * Math.round(Math.abs(x) * f + Number.EPSILON)) / f;
    },
  },
  floor: { signature: 'floor(x)', doc: 'largest integer <= x', minArgs: 1, maxArgs: 1, returns: 'number', params: ['number'], impl: math1('floor', Math.floor) },
  ceil: { signature: 'ceil(x)', doc: 'smallest integer >= x', minArgs: 1, maxArgs: 1, returns: 'number', params: ['number'], impl: math1('ceil', Math.ceil) },
  sqrt: { signature: 'sqrt(x)', doc: 'square root', minArgs: 1, maxArgs: 1, returns: 'number', params: ['number'], impl: math1('sqrt', Math.sqrt) },
  min: { signature: 'min(a, b, ...)', doc: 'smallest number (nulls ignored)', minArgs: 1, maxArgs: Number.POSITIVE_INFINITY, returns: 'number', params: ['number'], impl: extreme('min', Math.min) },
  max: { signature: 'max(a, b, ...)', doc: 'largest number (nulls ignored)', minArgs: 1, maxArgs: Number.POSITIVE_INFINITY, returns: 'number', params: ['number'], impl: extreme('max', Math.max) },
  lower: { signature: 'lower(s)', doc: 'lower case', minArgs: 1, maxArgs: 1, returns: 'string', params: ['string'], impl: str1('lower', (s) => s.toLowerCase()) },
  upper: { signature: 'upper(s)', doc: 'upper case', minArgs: 1, maxArgs: 1, returns: 'string', params: ['string'], impl: str1('upper', (s) => s.toUpperCase()) },
  trim: { signature: 'trim(s)', doc: 'without leading and trailing spaces', minArgs: 1, maxArgs: 1, returns: 'string', params: ['string'], impl: str1('trim', (s) => s.trim()) },
  len: {
    signature: 'len(s or list)',
    doc: 'length of a string or a list',
    minArgs: 1,
    maxArgs: 1,
    returns: 'number',
    params: ['any'],
    impl: (a) => {
      const v = a[0];
      if (v === null) return null;
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      throw new ExprEvalError(`len() needs a string or a list, got ${typeName(v)}`);
    },
  },
  contains: {
    signature: 'contains(s or list, x)',
    doc: 'true when the string contains x, or the list has x',
    minArgs: 2,
    maxArgs: 2,
    returns: 'boolean',
    params: ['any', 'any'],
    impl: (a) => contains('contains', a[0], a[1]),
  },
  startsWith: { signature: 'startsWith(s, prefix)', doc: 'true when s starts with prefix', minArgs: 2, maxArgs: 2, returns: 'boolean', params: ['string', 'string'], impl: (a) => both('startsWith', a, (s, p) => s.startsWith(p)) },
  endsWith: { signature: 'endsWith(s, suffix)', doc: 'true when s ends with suffix', minArgs: 2, maxArgs: 2, returns: 'boolean', params: ['string', 'string'], impl: (a) => both('endsWith', a, (s, p) => s.endsWith(p)) },
  substr: {
    signature: 'substr(s, start, length?)',
    doc: 'part of s from start (0-based)',
    minArgs: 2,
    maxArgs: 3,
    returns: 'string',
    params: ['string', 'number', 'number'],
    impl: (a) => {
      const s = str('substr', a[0]);
      const start = num('substr', a[1]);
      const n = a.length > 2 ? num('substr', a[2]) : null;
      if (s === null || start === null) return null;
      return n === null ? s.slice(start) : s.slice(start, start + n);
    },
  },
  has: { signature: 'has(field)', doc: 'true when the event has the field (even if null)', minArgs: 1, maxArgs: 1, returns: 'boolean', params: ['any'], impl: () => false },
  coalesce: {
    signature: 'coalesce(a, b, ...)',
    doc: 'the first value that is not null',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    returns: 'arg0',
    params: ['any'],
    impl: (a) => a.find((v) => v !== null) ?? null,
  },
  toNumber: {
    signature: 'toNumber(x)',
    doc: 'a number from a number, numeric string or boolean; null when it is not one',
    minArgs: 1,
    maxArgs: 1,
    returns: 'number',
    params: ['any'],
    impl: (a) => {
      const v = a[0];
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return null;
    },
  },
  now: { signature: 'now()', doc: 'wall clock, epoch ms', minArgs: 0, maxArgs: 0, returns: 'number', params: [], impl: (_a, now) => now() },
};

// Assigned apart: as a key of an object literal, `toString` is typed as Object's method.
// biome-ignore lint/complexity/useLiteralKeys: see above
DEFINITIONS['toString'] = {
  signature: 'toString(x)',
  doc: 'text form of a value (lists and objects as JSON)',
  minArgs: 1,
  maxArgs: 1,
  returns: 'string',
  params: ['any'],
  impl: (a) => (a[0] === null ? null : typeof a[0] === 'object' ? JSON.stringify(a[0]) : String(a[0])),
};

/** No prototype: `constructor(...)` or `toString` inherited from Object are not functions here. */
export const FUNCTIONS: Readonly<Record<string, LibraryFunction>> = Object.freeze(Object.assign(Object.create(null), DEFINITIONS));

function both(name: string, a: unknown[], f: (s: string, t: string) => boolean): boolean | null {
  const s = str(name, a[0]);
  const t = str(name, a[1]);
  return s === null || t === null ? null : f(s, t);
}

export function contains(name: string, hay: unknown, needle: unknown): boolean | null {
  if (hay === null) return null;
  if (typeof hay === 'string') {
    if (needle === null) return null;
    if (typeof needle !== 'string') throw new ExprEvalError(`${name}: a string can only contain a string, got ${typeName(needle)}`);
    return hay.includes(needle);
  }
  if (Array.isArray(hay)) return hay.some((v) => v === needle);
  throw new ExprEvalError(`${name}: needs a string or a list, got ${typeName(hay)}`);
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v === 'number' ? 'a number' : typeof v === 'string' ? 'a string' : typeof v === 'boolean' ? 'a boolean' : typeof v} (${JSON.stringify(v)?.slice(0, 40)})`;
}
