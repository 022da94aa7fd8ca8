/** The inputs of a table cell: a value of the column's kind, a list of them, an event-time bound. */
import { parseTime } from '@sluice/shared';
import { parseList, parseValue, type Scalar, showScalar, type ValueKind } from '../rules-config';
import { useTypedText } from './use-typed-text';

const FieldAlert = ({ error }: { error: string | undefined }) =>
  error ? (
    <span className="field-error" role="alert">
      {error}
    </span>
  ) : null;

/**
 * A typed value: the text is kept while it does not read as the column's kind (the message says
 * why) and the value changes only when it does. A new value from outside replaces the text.
 */
export function ValueInput({
  label,
  value,
  kind,
  readOnly,
  onChange,
}: {
  label: string;
  value: Scalar;
  kind: ValueKind;
  readOnly: boolean;
  onChange: (v: Scalar) => void;
}) {
  const typed = useTypedText(value, () => (value === null ? '' : showScalar(value)));
  if (kind === 'boolean') {
    return (
      <select
        aria-label={label}
        value={value === null ? '' : String(value)}
        disabled={readOnly}
        onChange={(e) => onChange(e.target.value === '' ? null : e.target.value === 'true')}
      >
        <option value="">—</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    );
  }
  return (
    <span className="biz-value">
      <input
        aria-label={label}
        aria-invalid={typed.error ? true : undefined}
        className={typed.error ? 'has-error' : undefined}
        inputMode={kind === 'number' ? 'decimal' : undefined}
        value={typed.text}
        readOnly={readOnly}
        onChange={(e) => {
          const t = e.target.value;
          typed.type(t);
          if (t.trim() === '' && kind !== 'string') {
            typed.accept(null);
            onChange(null);
            return;
          }
          const p = parseValue(t, kind);
          if (!p.ok) return typed.refuse(p.message);
          typed.accept(p.value);
          onChange(p.value);
        }}
      />
      <FieldAlert error={typed.error} />
    </span>
  );
}

/** A list typed as "a, b, c", each item of the column's kind. */
export function ListInput({
  label,
  value,
  kind,
  readOnly,
  onChange,
}: {
  label: string;
  value: Scalar[];
  kind: ValueKind;
  readOnly: boolean;
  onChange: (v: Scalar[]) => void;
}) {
  const joined = value.map(showScalar).join(', ');
  const typed = useTypedText(joined, () => joined);
  return (
    <span className="biz-value">
      <input
        aria-label={label}
        placeholder="a, b, c"
        className={typed.error ? 'has-error' : undefined}
        value={typed.text}
        readOnly={readOnly}
        onChange={(e) => {
          typed.type(e.target.value);
          const p = parseList(e.target.value, kind);
          if (!p.ok) return typed.refuse(p.message);
          typed.accept(p.value.map(showScalar).join(', '));
          onChange(p.value);
        }}
      />
      <FieldAlert error={typed.error} />
    </span>
  );
}

/** An ISO-8601 instant (event time; the node also takes epoch ms); empty means unbounded. */
export function DateInput({
  label,
  value,
  placeholder,
  readOnly,
  onChange,
}: {
  label: string;
  value: string | number | undefined;
  placeholder: string;
  readOnly: boolean;
  onChange: (v: string | undefined) => void;
}) {
  const typed = useTypedText(value, () => (value === undefined ? '' : String(value)));
  const bad = typed.text.trim() !== '' && parseTime(typed.text) === undefined;
  return (
    <span className="biz-value">
      <input
        aria-label={label}
        placeholder={placeholder}
        className={bad ? 'has-error' : undefined}
        value={typed.text}
        readOnly={readOnly}
        onChange={(e) => {
          const t = e.target.value;
          typed.type(t);
          if (t.trim() === '') {
            typed.accept(undefined);
            onChange(undefined);
          } else if (parseTime(t) !== undefined) {
            typed.accept(t.trim());
            onChange(t.trim());
          }
        }}
      />
      {bad ? <span className="field-error">not a date and time, e.g. 2026-01-01T00:00:00Z</span> : null}
    </span>
  );
}
