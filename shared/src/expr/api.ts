// Placeholder signatures; the expression module replaces this file with the implementation.
import type { ParamType, ParamValue } from '../graph/document.js';
import type { EventSchema, FieldType } from '../schema/event-schema.js';

export interface ExprIssue {
  message: string;
  /** 1-based column in the source. */
  column: number;
  severity: 'error' | 'warning';
  code: string;
}

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

export declare function checkExpression(source: string, ctx: CheckContext): CheckResult;
export declare function compileExpression(source: string, env: CompileEnv): CompiledExpression;
