/** An expression field, checked as you type with the shared checker (the validator's own). */
import { type CheckContext, checkExpression } from '@sluice/shared';

export function ExpressionInput({ value, onChange, context, label }: { value: string; onChange: (v: string) => void; context: CheckContext; label: string }) {
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
