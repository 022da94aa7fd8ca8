/**
 * The function library: what the editor offers as completions, what the checker knows of each
 * function's arguments and result, and the implementation. Unless a function says otherwise,
 * a null argument gives null, and an argument of the wrong type is an ExprEvalError.
 */
import type { FieldType } from '../schema/event-schema.js';
import { checkTextLength, describeValue, ExprEvalError } from './errors.js';
import { deepEqual } from './values.js';

export type FunctionImpl =
  /** Up to three positional arguments; an absent optional argument is `undefined`. */
  | { kind: 'fixed'; fn: (a: unknown, b?: unknown, c?: unknown) => unknown }
  /** Variadic, folded left to right from `init` without an arguments array. */
  | { kind: 'fold'; init: unknown; step: (acc: unknown, v: unknown) => unknown }
  /** Built by the compiler: has (reads the AST), now (the clock), coalesce (lazy). */
  | { kind: 'special' };

export interface LibraryFunction {
  signature: string;
  doc: string;
  minArgs: number;
  maxArgs: number;
  /** Static types accepted per argument (the last entry repeats); 'any' accepts all. */
  args: readonly (readonly FieldType[])[];
  /** Static result type; 'unify' is the common type of the arguments. */
  returns: FieldType | 'unify';
  impl: FunctionImpl;
}

const N = ['number'] as const;
const S = ['string'] as const;
const ANY = ['any'] as const;

function num(name: string, v: unknown): number | null {
  if (v === null) return null;
  if (typeof v !== 'number') throw new ExprEvalError(`${name}() needs a number, got ${describeValue(v)}`);
  return v;
}

function str(name: string, v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'string') throw new ExprEvalError(`${name}() needs a string, got ${describeValue(v)}`);
  return v;
}

function math(name: string, doc: string, f: (x: number) => number): LibraryFunction {
  const fn = (a: unknown) => {
    const x = num(name, a);
    if (x === null) return null;
    const r = f(x);
    return Number.isFinite(r) ? r : null;
  };
  return { signature: `${name}(x)`, doc, minArgs: 1, maxArgs: 1, args: [N], returns: 'number', impl: { kind: 'fixed', fn } };
}

function text(name: string, doc: string, f: (s: string) => unknown): LibraryFunction {
  const fn = (a: unknown) => {
    const s = str(name, a);
    return s === null ? null : f(s);
  };
  return { signature: `${name}(s)`, doc, minArgs: 1, maxArgs: 1, args: [S], returns: 'string', impl: { kind: 'fixed', fn } };
}

function text2(name: string, second: string, doc: string, f: (s: string, t: string) => boolean): LibraryFunction {
  const fn = (a: unknown, b: unknown) => {
    const s = str(name, a);
    const t = str(name, b);
    return s === null || t === null ? null : f(s, t);
  };
  return { signature: `${name}(s, ${second})`, doc, minArgs: 2, maxArgs: 2, args: [S, S], returns: 'boolean', impl: { kind: 'fixed', fn } };
}

function extreme(name: 'min' | 'max'): LibraryFunction {
  const pick = name === 'min' ? Math.min : Math.max;
  const step = (acc: unknown, v: unknown) => {
    const x = num(name, v);
    return x === null ? acc : acc === null ? x : pick(acc as number, x);
  };
  const doc = `${name === 'min' ? 'smallest' : 'largest'} of the numbers (nulls are skipped; null when all are)`;
  return {
    signature: `${name}(a, b, ...)`,
    doc,
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    args: [N],
    returns: 'number',
    impl: { kind: 'fold', init: null, step },
  };
}

/** Half away from zero, on the decimal text, so that round(1.005, 2) is 1.01 as people expect. */
function round(a: unknown, b: unknown): number | null {
  const x = num('round', a);
  const d = b === undefined ? 0 : num('round', b);
  if (x === null || d === null) return null;
  const digits = Math.max(-15, Math.min(15, Math.trunc(d)));
  const abs = Math.abs(x);
  const scale = 10 ** digits;
  const scaled = abs * scale;
  // Away from a half, binary error cannot change the result: skip the (slower) decimal text.
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-6) return (x < 0 ? -Math.round(scaled) : Math.round(scaled)) / scale + 0; // + 0: no -0
  const shifted = String(abs).includes('e') ? abs * 10 ** digits : Number(`${abs}e${digits}`);
  const r = Math.round(shifted);
  const back = String(r).includes('e') ? r / 10 ** digits : Number(`${r}e${-digits}`);
  return (x < 0 ? -back : back) + 0;
}

export function contains(name: string, hay: unknown, needle: unknown): boolean | null {
  if (hay === null) return null;
  if (typeof hay === 'string') {
    if (needle === null) return false;
    if (typeof needle !== 'string') throw new ExprEvalError(`${name}: a string can only contain a string, not ${describeValue(needle)}`);
    return hay.includes(needle);
  }
  if (Array.isArray(hay)) {
    if (needle === null || typeof needle !== 'object') return hay.includes(needle);
    for (const item of hay) if (deepEqual(item, needle)) return true;
    return false;
  }
  throw new ExprEvalError(`${name} needs a string or a list on the right, got ${describeValue(hay)}`);
}

function scalarText(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ExprEvalError(`${name}() cannot make text of ${describeValue(v)}`);
}

const DEFINITIONS: Record<string, LibraryFunction> = {
  abs: math('abs', 'absolute value', Math.abs),
  round: {
    signature: 'round(x, digits?)',
    doc: 'rounded half away from zero, to `digits` decimals (default 0; negative rounds to tens, hundreds...)',
    minArgs: 1,
    maxArgs: 2,
    args: [N, N],
    returns: 'number',
    impl: { kind: 'fixed', fn: round },
  },
  floor: math('floor', 'largest integer <= x', Math.floor),
  ceil: math('ceil', 'smallest integer >= x', Math.ceil),
  sqrt: math('sqrt', 'square root (null for a negative x)', Math.sqrt),
  min: extreme('min'),
  max: extreme('max'),
  lower: text('lower', 'lower case', (s) => s.toLowerCase()),
  upper: text('upper', 'upper case', (s) => s.toUpperCase()),
  trim: text('trim', 'without leading and trailing white space', (s) => s.trim()),
  len: {
    signature: 'len(s or list)',
    doc: 'length of a string (UTF-16 units) or a list',
    minArgs: 1,
    maxArgs: 1,
    args: [['string', 'array']],
    returns: 'number',
    impl: {
      kind: 'fixed',
      fn: (v) => {
        if (v === null) return null;
        if (typeof v === 'string' || Array.isArray(v)) return v.length;
        throw new ExprEvalError(`len() needs a string or a list, got ${describeValue(v)}`);
      },
    },
  },
  contains: {
    signature: 'contains(s or list, x)',
    doc: 'true when the string contains the string x, or the list has an item == x',
    minArgs: 2,
    maxArgs: 2,
    args: [['string', 'array'], ANY],
    returns: 'boolean',
    impl: { kind: 'fixed', fn: (a, b) => contains('contains()', a, b) },
  },
  startsWith: text2('startsWith', 'prefix', 'true when s starts with prefix', (s, t) => s.startsWith(t)),
  endsWith: text2('endsWith', 'suffix', 'true when s ends with suffix', (s, t) => s.endsWith(t)),
  substr: {
    signature: 'substr(s, start, length?)',
    doc: 'part of s from start (0-based; negative counts from the end), at most length characters',
    minArgs: 2,
    maxArgs: 3,
    args: [S, N, N],
    returns: 'string',
    impl: {
      kind: 'fixed',
      fn: (a, b, c) => {
        const s = str('substr', a);
        const start = num('substr', b);
        const n = c === undefined ? undefined : num('substr', c);
        if (s === null || start === null || n === null) return null;
        const from = start < 0 ? Math.max(0, s.length + Math.trunc(start)) : Math.trunc(start);
        return n === undefined ? s.slice(from) : s.slice(from, from + Math.max(0, Math.trunc(n)));
      },
    },
  },
  replace: {
    signature: 'replace(s, find, with)',
    doc: 'every occurrence of the text find replaced (no patterns)',
    minArgs: 3,
    maxArgs: 3,
    args: [S, S, S],
    returns: 'string',
    impl: {
      kind: 'fixed',
      fn: (a, b, c) => {
        const s = str('replace', a);
        const find = str('replace', b);
        const by = str('replace', c);
        if (s === null || find === null || by === null) return null;
        if (find === '') return s;
        const parts = s.split(find);
        checkTextLength(s.length + (parts.length - 1) * (by.length - find.length));
        return parts.join(by);
      },
    },
  },
  split: {
    signature: 'split(s, separator)',
    doc: 'the list of the parts of s between separators',
    minArgs: 2,
    maxArgs: 2,
    args: [S, S],
    returns: 'array',
    impl: {
      kind: 'fixed',
      fn: (a, b) => {
        const s = str('split', a);
        const sep = str('split', b);
        return s === null || sep === null ? null : s.split(sep);
      },
    },
  },
  has: {
    signature: 'has(field)',
    doc: 'true when the event has the field, even if its value is null',
    minArgs: 1,
    maxArgs: 1,
    args: [ANY],
    returns: 'boolean',
    impl: { kind: 'special' },
  },
  coalesce: {
    signature: 'coalesce(a, b, ...)',
    doc: 'the first argument that is not null (later ones are not evaluated)',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    args: [ANY],
    returns: 'unify',
    impl: { kind: 'special' },
  },
  concat: {
    signature: 'concat(a, b, ...)',
    doc: 'the texts of the arguments joined; unlike +, nulls count as empty text',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    args: [['string', 'number', 'boolean']],
    returns: 'string',
    impl: { kind: 'fold', init: '', step: (acc, v) => (v === null ? acc : (acc as string) + scalarText('concat', v)) },
  },
  toNumber: {
    signature: 'toNumber(x)',
    doc: 'x as a number: numbers as they are, numeric text, true/false as 1/0; otherwise null',
    minArgs: 1,
    maxArgs: 1,
    args: [ANY],
    returns: 'number',
    impl: {
      kind: 'fixed',
      fn: (v) => {
        if (typeof v === 'number') return v;
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v !== 'string' || v.trim() === '') return null;
        const n = Number(v);
        return Number.isFinite(n) ? n : null;
      },
    },
  },
  now: {
    signature: 'now()',
    doc: 'the wall clock, epoch milliseconds',
    minArgs: 0,
    maxArgs: 0,
    args: [],
    returns: 'number',
    impl: { kind: 'special' },
  },
};

// Assigned apart: as a key of an object literal, `toString` would be typed as Object's method.
// biome-ignore lint/complexity/useLiteralKeys: see above
DEFINITIONS['toString'] = {
  signature: 'toString(x)',
  doc: 'x as text (lists and objects as JSON)',
  minArgs: 1,
  maxArgs: 1,
  args: [ANY],
  returns: 'string',
  impl: {
    kind: 'fixed',
    fn: (v) => (v === null ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)),
  },
};

/**
 * name -> function, for the parser, the checker and the editor's completions. No prototype, so
 * `constructor(...)` or `valueOf(...)` are unknown functions and never reach Object's methods.
 */
export const FUNCTIONS: Readonly<Record<string, LibraryFunction>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, LibraryFunction>, DEFINITIONS),
);

export function isFunctionName(name: string): boolean {
  return Object.hasOwn(FUNCTIONS, name);
}
