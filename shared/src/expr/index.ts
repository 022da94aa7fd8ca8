/**
 * The expression language: lexer, parser, checker, compiler to closures. Never eval, new
 * Function or vm. Browser-safe. See docs/expressions.md.
 *
 *   parseExpression(source) -> { ok: true, ast } | { ok: false, error: ExprIssue }
 *   checkExpression(source, ctx: CheckContext) -> CheckResult
 *   compileExpression(source, env: CompileEnv) -> CompiledExpression   (throws ExprSyntaxError)
 *   ExprEvalError: thrown by a compiled expression on a type error for one event.
 *   FUNCTIONS: the function library, for completions.
 */
export * from './api.js';
