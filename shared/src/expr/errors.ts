/** Errors and limits of the expression language. Every error carries a stable `code`. */

export const MAX_SOURCE_LENGTH = 10_000;
/** Nesting depth: parentheses, lists, unary chains, operands and chains of one operator all count. */
export const MAX_DEPTH = 200;

/**
 * The longest text an expression may build (`+`, `replace`): a map doubling a string 40 times
 * would otherwise reach V8's limit (a RangeError) after eating half a gigabyte. Past it, the
 * event is that node's error (ExprEvalError), as any other bad value is.
 */
export const MAX_TEXT_LENGTH = 1_000_000;

/** Throws an ExprEvalError when a text of `length` would be longer than MAX_TEXT_LENGTH. */
export function checkTextLength(length: number, column?: number): void {
  if (length > MAX_TEXT_LENGTH) {
    throw new ExprEvalError(
      `the text would be ${length.toLocaleString('en-US')} characters long (the limit is ${MAX_TEXT_LENGTH.toLocaleString('en-US')})`,
      column,
    );
  }
}

export type ExprErrorCode =
  | 'expr-syntax'
  | 'expr-too-long'
  | 'expr-too-deep'
  | 'expr-unknown-function'
  | 'expr-not-callable'
  | 'expr-arity'
  | 'expr-unknown-param'
  | 'expr-unknown-field'
  | 'expr-type';

/** One problem found in an expression's source; `column` is 1-based. */
export interface ExprIssue {
  message: string;
  /** 1-based column in the source. */
  column: number;
  severity: 'error' | 'warning';
  code: string;
}

/** "what at column N (hint)": the place comes right after what is wrong, hints last. */
export function at(what: string, column: number, hint?: string): string {
  return `${what} at column ${column}${hint ? ` (${hint})` : ''}`;
}

/** The source does not parse, or names something that does not exist (a param, a function). */
export class ExprSyntaxError extends Error {
  readonly column: number;
  readonly code: ExprErrorCode;
  constructor(what: string, column: number, code: ExprErrorCode = 'expr-syntax', hint?: string) {
    super(at(what, column, hint));
    this.name = 'ExprSyntaxError';
    this.column = column;
    this.code = code;
  }

  toIssue(): ExprIssue {
    return { message: this.message, column: this.column, severity: 'error', code: this.code };
  }
}

/**
 * A type error while evaluating one event (`"x" * 2`): the pipeline counts that event as an
 * error of its node and goes on. Anything else thrown by a compiled expression is a bug.
 */
export class ExprEvalError extends Error {
  readonly code = 'expr-eval';
  readonly column: number | undefined;
  constructor(what: string, column?: number) {
    super(column === undefined ? what : at(what, column));
    this.name = 'ExprEvalError';
    this.column = column;
  }
}

/** A value as error messages show it: its kind, and a short preview. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'number':
      return `the number ${v}`;
    case 'string':
      return `the string ${JSON.stringify(v.length > 30 ? `${v.slice(0, 30)}...` : v)}`;
    case 'boolean':
      return `the boolean ${v}`;
    default:
      return 'an object';
  }
}
