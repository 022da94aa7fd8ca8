/**
 * Expressions inside node configs, checked with the real expression checker against the
 * document's params and, when known, the schema of the events reaching the node.
 */
import type { Diagnostic } from '../diagnostic.js';
import { checkExpression } from '../expr/index.js';
import type { EventSchema } from '../schema/event-schema.js';
import type { ParamType } from './document.js';
import type { ExpressionField } from './node-type.js';

export interface ExpressionContext {
  nodeId: string;
  params: Record<string, ParamType>;
  /** Schema of the node's input; undefined when unknown (then any field name is accepted). */
  input?: EventSchema;
  /** Paths already reported (e.g. by the config schema): not reported twice. */
  skip?: (path: string) => boolean;
}

export function checkExpressionFields(fields: readonly ExpressionField[], ctx: ExpressionContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const x of fields) {
    // Fields from a config that failed its schema may hold anything: only text is an expression.
    if (typeof x.source !== 'string' || ctx.skip?.(x.path)) continue;
    const schema = ctx.input && x.extraFields ? { ...ctx.input, fields: { ...ctx.input.fields, ...x.extraFields } } : ctx.input;
    const r = checkExpression(x.source, schema ? { params: ctx.params, schema } : { params: ctx.params });
    for (const issue of r.issues) {
      out.push({
        severity: issue.severity,
        code: issue.code,
        message: issue.message,
        nodeId: ctx.nodeId,
        path: x.path,
        column: issue.column,
      });
    }
    // A filter or route condition giving a number is a mistake the checker cannot see alone.
    if (r.issues.length === 0 && x.role === 'predicate' && !['boolean', 'any', 'null'].includes(r.type)) {
      const message = `must give true or false, but gives a ${r.type}`;
      out.push({ severity: 'error', code: 'expr-type', message, nodeId: ctx.nodeId, path: x.path, column: 1 });
    }
  }
  return out;
}
