/** Errors of the expression language. Both carry a stable `code`. */

/** The source does not parse or refers to something that does not exist. `column` is 1-based. */
export class ExprSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
    readonly code: string = 'expr-syntax',
  ) {
    super(`${message} at column ${column}`);
    this.name = 'ExprSyntaxError';
  }
}

/** A type error while evaluating one event: that event becomes an error of its node. */
export class ExprEvalError extends Error {
  readonly code = 'expr-eval';
  constructor(message: string) {
    super(message);
    this.name = 'ExprEvalError';
  }
}

export const MAX_SOURCE_LENGTH = 10_000;
export const MAX_DEPTH = 200;
