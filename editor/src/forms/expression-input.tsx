/** An expression field, checked as you type with the shared checker (the validator's own). */
import { type CheckContext, checkExpression, type FieldType } from '@sluice/shared';

/**
 * What a form's expressions are checked against: the params, the input schema and, per config
 * path, fields the node itself adds before that expression runs (a map's earlier `set` fields),
 * as the node's definition declares them for the validator.
 */
export interface FormContext extends CheckContext {
  extraFields?: Record<string, Record<string, FieldType>>;
}

/** The context of the expression at `path`, with the fields the node adds before it. */
export function contextAt(context: FormContext, path: string): CheckContext {
  const extra = context.extraFields?.[path];
  if (!extra || !context.schema) return context;
  return { params: context.params, schema: { ...context.schema, fields: { ...context.schema.fields, ...extra } } };
}

export function ExpressionInput({ value, onChange, context: formContext, label }: { value: string; onChange: (v: string) => void; context: FormContext; label: string }) {
  const context = contextAt(formContext, label);
  const issues = value.trim() === '' ? [] : checkExpression(value, context).issues;
  const first = issues[0];
  return (
    <div className="expr">
      <input className={`mono${first ? ' has-error' : ''}`} value={value} onChange={(e) => onChange(e.target.value)} aria-label={label} aria-invalid={first ? true : undefined} spellCheck={false} />
      {first ? (
        <div className="field-error" role="alert" data-testid="expr-error">
          {first.message}
        </div>
      ) : null}
      {context.schema ? <div className="hint">fields: {Object.keys(context.schema.fields).slice(0, 12).join(', ')}</div> : null}
    </div>
  );
}
