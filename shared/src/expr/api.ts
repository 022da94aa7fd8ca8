/**
 * The public face of the expression language: parse, check (for the editor and the validator)
 * and compile (for the engine). Browser-safe; the same code runs in the editor and the engine.
 * See docs/expressions.md for the language and its semantics.
 */
import type { ParamType, ParamValue } from '../graph/document.js';
import type { EventSchema, FieldType } from '../schema/event-schema.js';
import type { Expr } from './ast.js';
import { checkAst } from './checker.js';
import { compileAst } from './compiler.js';
import { type ExprIssue, ExprSyntaxError } from './errors.js';
import { parse } from './parser.js';

export type { ExprIssue };

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

export type ParseResult = { ok: true; ast: Expr } | { ok: false; error: ExprIssue };

/** The AST of `source`, or its first syntax error (with a 1-based column and a code). */
export function parseExpression(source: string): ParseResult {
  try {
    return { ok: true, ast: parse(source) };
  } catch (err) {
    if (err instanceof ExprSyntaxError) return { ok: false, error: err.toIssue() };
    throw err;
  }
}

/**
 * Every problem that can be known before anything runs: syntax (the first error only), unknown
 * params, arity, and with a schema unknown fields and type mismatches. Never throws.
 */
export function checkExpression(source: string, ctx: CheckContext): CheckResult {
  const parsed = parseExpression(source);
  if (!parsed.ok) return { issues: [parsed.error], type: 'any', fields: [] };
  return checkAst(parsed.ast, ctx);
}

/**
 * A closure evaluating the expression on one event. Param values are bound now, as constants.
 * Throws ExprSyntaxError for bad source or an unknown param; the closure throws ExprEvalError
 * (code 'expr-eval') for a type error on one event, and nothing else for valid input.
 */
export function compileExpression(source: string, env: CompileEnv): CompiledExpression {
  return compileAst(parse(source), { params: env.params, now: env.now ?? Date.now });
}

export type { Expr } from './ast.js';
export { type ExprErrorCode, ExprEvalError, ExprSyntaxError, MAX_DEPTH, MAX_SOURCE_LENGTH, MAX_TEXT_LENGTH } from './errors.js';
export { FUNCTIONS, type LibraryFunction } from './functions.js';
