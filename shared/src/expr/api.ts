/**
 * The public face of the expression language: parse, check (for the editor and the validator)
 * and compile (for the engine). The same code runs in the browser and on the server.
 */
import type { ParamType, ParamValue } from '../graph/document.js';
import type { EventSchema, FieldType } from '../schema/event-schema.js';
import type { Expr } from './ast.js';
import { type CheckIssue, checkAst } from './check.js';
import { compileAst, isConstant } from './compile.js';
import { ExprSyntaxError } from './expr-errors.js';
import { parse } from './parse.js';

export type ExprIssue = CheckIssue;

export interface CheckContext {
  params: Record<string, ParamType>;
  schema?: EventSchema;
}

export interface CheckResult {
  issues: ExprIssue[];
  /** Static type of the result when known. */
  type: FieldType;
  /** Event fields read (dotted names), for completions and schema checks. */
  fields: string[];
}

export interface CompileEnv {
  params: Record<string, ParamValue>;
  /** Injected clock for `now()`; defaults to Date.now. */
  now?: () => number;
}

export type CompiledExpression = (event: Readonly<Record<string, unknown>>) => unknown;

export function parseExpression(source: string): { ok: true; ast: Expr } | { ok: false; error: ExprIssue } {
  try {
    return { ok: true, ast: parse(source) };
  } catch (err) {
    if (err instanceof ExprSyntaxError) return { ok: false, error: issueOf(err) };
    throw err;
  }
}

export function checkExpression(source: string, ctx: CheckContext): CheckResult {
  const parsed = parseExpression(source);
  if (!parsed.ok) return { issues: [parsed.error], type: 'any', fields: [] };
  return checkAst(parsed.ast, ctx);
}

/** A closure evaluating the expression on one event. Throws ExprSyntaxError for bad source or an unknown param. */
export function compileExpression(source: string, env: CompileEnv): CompiledExpression {
  const ctx = { params: env.params, now: env.now ?? Date.now };
  const ast = parse(source);
  const fn = compileAst(ast, ctx);
  if (ast.kind !== 'literal' && isConstant(ast)) {
    // Constant (literals and params only): evaluate once. A constant that fails stays dynamic,
    // so the error is reported per event as usual.
    try {
      const v = fn({});
      return () => v;
    } catch {
      return fn;
    }
  }
  return fn;
}

function issueOf(err: ExprSyntaxError): ExprIssue {
  return { message: err.message, column: err.column, severity: 'error', code: err.code };
}

export { ExprEvalError, ExprSyntaxError, MAX_DEPTH, MAX_SOURCE_LENGTH } from './expr-errors.js';
export { FUNCTIONS, type LibraryFunction } from './library.js';
export type { Expr } from './ast.js';
