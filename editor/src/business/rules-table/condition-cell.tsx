/** A row's condition on one input column: an operator and the value(s) or predicate it takes. */
import type { CheckContext } from '@sluice/shared';
import { ExpressionInput } from '../../forms/expression-input';
import { CONDITION_OPS, type Condition, type ConditionOp, OP_WORDS, type ValueKind } from '../rules-config';
import { ListInput, ValueInput } from './typed-inputs';

/** Converts a condition's value when its operator changes, keeping what can be kept. */
export function changeOp(c: Condition, op: ConditionOp): Condition {
  if (op === c.op) return c;
  const first = Array.isArray(c.value) ? c.value[0] : c.value;
  if (op === 'any') return { op };
  if (op === 'expr') return { op, expression: c.expression ?? '' };
  if (op === 'between') return { op, value: Array.isArray(c.value) && c.value.length === 2 ? c.value : [first ?? null, first ?? null] };
  if (op === 'in') return { op, value: Array.isArray(c.value) ? c.value : first === undefined ? [] : [first] };
  return { op, value: first ?? null };
}

export function ConditionCell({
  label,
  cond,
  kind,
  readOnly,
  context,
  onChange,
}: {
  label: string;
  cond: Condition;
  kind: ValueKind;
  readOnly: boolean;
  context: CheckContext;
  onChange: (c: Condition) => void;
}) {
  const values = Array.isArray(cond.value) ? cond.value : [];
  return (
    <div className="biz-cell">
      <select
        aria-label={`${label} operator`}
        value={cond.op}
        disabled={readOnly}
        onChange={(e) => onChange(changeOp(cond, e.target.value as ConditionOp))}
      >
        {CONDITION_OPS.map((op) => (
          <option key={op} value={op}>
            {OP_WORDS[op] ?? op}
          </option>
        ))}
      </select>
      {cond.op === 'any' ? null : cond.op === 'expr' ? (
        readOnly ? (
          <code>{cond.expression}</code>
        ) : (
          <ExpressionInput
            label={`${label} expression`}
            value={cond.expression ?? ''}
            context={context}
            onChange={(v) => onChange({ op: 'expr', expression: v })}
          />
        )
      ) : cond.op === 'between' ? (
        <>
          <ValueInput
            label={`${label} from`}
            value={values[0] ?? null}
            kind={kind}
            readOnly={readOnly}
            onChange={(v) => onChange({ op: 'between', value: [v, values[1] ?? null] })}
          />
          <span className="hint">and</span>
          <ValueInput
            label={`${label} to`}
            value={values[1] ?? null}
            kind={kind}
            readOnly={readOnly}
            onChange={(v) => onChange({ op: 'between', value: [values[0] ?? null, v] })}
          />
        </>
      ) : cond.op === 'in' ? (
        <ListInput
          label={`${label} values`}
          value={values}
          kind={kind}
          readOnly={readOnly}
          onChange={(v) => onChange({ op: 'in', value: v })}
        />
      ) : (
        <ValueInput
          label={`${label} value`}
          value={Array.isArray(cond.value) ? null : (cond.value ?? null)}
          kind={kind}
          readOnly={readOnly}
          onChange={(v) => onChange({ op: cond.op, value: v })}
        />
      )}
    </div>
  );
}
