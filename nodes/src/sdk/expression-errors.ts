/**
 * Which errors thrown while evaluating an expression belong to the event (a type error on
 * this event's values: counted, sent to the `error` port) and which are bugs (rethrown: the
 * run fails). Shared by filter, map and branch.
 */
import { isEventFailure } from './error-event.js';

/**
 * Thrown by a compiled expression for one event: ExprEvalError (code `expr-eval`), or a
 * RangeError/TypeError from its values (sdk/error-event.ts isEventFailure).
 */
export function isEventError(err: unknown): boolean {
  return isEventFailure(err);
}

/** A predicate that gave something other than true, false or null. */
export class NotBooleanError extends Error {
  readonly code = 'expr-not-boolean';
  constructor(what: string, value: unknown) {
    super(`${what} gave ${describe(value)}, not true or false`);
    this.name = 'NotBooleanError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
