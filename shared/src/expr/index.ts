/**
 * The expression language: lexer, parser, checker, compiler to closures. Never eval/new
 * Function/vm. Browser-safe. See docs/expressions.md.
 *
 * PUBLIC API (implemented by the modules of this folder):
 *
 *   parseExpression(source) -> { ok: true, ast } | { ok: false, error: ExprIssue }
 *   checkExpression(source, ctx: CheckContext) -> CheckResult
 *   compileExpression(source, env: CompileEnv) -> CompiledExpression   (throws ExprSyntaxError)
 *   ExprEvalError: thrown by a compiled expression on a type error for one event.
 */
export * from './api.js';
