/** A row's (or the default's) value for one output column: a literal, a formula, or (default only) unset. */
import type { CheckContext } from '@sluice/shared';
import { ExpressionInput } from '../../forms/expression-input';
import { isExprCell, type OutputCell, type Scalar, showScalar, type ValueKind } from '../rules-config';
import { ValueInput } from './typed-inputs';

export function OutputCellInput({
  label,
  cell,
  kind,
  readOnly,
  context,
  optional = false,
  onChange,
}: {
  label: string;
  cell: OutputCell | undefined;
  kind: ValueKind;
  readOnly: boolean;
  context: CheckContext;
  optional?: boolean;
  onChange: (c: OutputCell | undefined) => void;
}) {
  const mode = cell === undefined ? 'none' : isExprCell(cell) ? 'expr' : 'value';
  return (
    <div className="biz-cell">
      <select
        aria-label={`${label} kind`}
        value={mode}
        disabled={readOnly}
        onChange={(e) =>
          onChange(
            e.target.value === 'expr'
              ? { expr: isExprCell(cell) ? cell.expr : showScalar(cell) }
              : e.target.value === 'none'
                ? undefined
                : isExprCell(cell)
                  ? null
                  : (cell ?? null),
          )
        }
      >
        {optional ? <option value="none">unset</option> : null}
        <option value="value">fixed value</option>
        <option value="expr">calculated</option>
      </select>
      {mode === 'none' ? null : isExprCell(cell) ? (
        readOnly ? (
          <code>{cell.expr}</code>
        ) : (
          <ExpressionInput label={`${label} expression`} value={cell.expr} context={context} onChange={(v) => onChange({ expr: v })} />
        )
      ) : (
        <ValueInput label={label} value={(cell as Scalar | undefined) ?? null} kind={kind} readOnly={readOnly} onChange={onChange} />
      )}
    </div>
  );
}
