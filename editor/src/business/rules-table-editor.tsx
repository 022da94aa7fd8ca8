/**
 * A rules node's decision table: one column per input (a condition per row) and per output (a
 * literal or an expression), row actions, the default row, when each row is in force, and the
 * hit policy. Business mode edits rows and the default only; engineer mode edits columns too.
 * Expression cells are checked as typed; the node's own check marks the rows it names.
 */
import { type CheckContext, checkExpression, parseTime } from '@sluice/shared';
import { useMemo, useState } from 'react';
import { ExpressionInput } from '../forms/expression-input';
import { checkRulesConfig, rowProblemText, sortProblems, type TableProblem } from './rules-check';
import {
  addInput,
  addOutput,
  addRow,
  CONDITION_OPS,
  type Condition,
  type ConditionOp,
  deleteRow,
  duplicateRow,
  isExprCell,
  kindOf,
  moveRow,
  type OutputCell,
  parseList,
  parseValue,
  type RulesConfig,
  readRules,
  removeColumn,
  renameColumn,
  type Scalar,
  setCondition,
  setDefault,
  setOutput,
  showScalar,
  updateColumn,
  updateRow,
  type ValueKind,
} from './rules-config';

export interface RulesTableEditorProps {
  config: Record<string, unknown>;
  onChange: (config: Record<string, unknown>) => void;
  /** business: rows and default only; engineer: columns and hit policy too. */
  mode: 'business' | 'engineer';
  readOnly?: boolean;
  /** Params and the fields reaching the node, for expression cells. */
  context: CheckContext;
  /** Problems from elsewhere (e.g. the server's 422), paths inside the config. */
  problems?: readonly TableProblem[];
  /** Names the table in labels, e.g. "Pricing table". */
  title?: string;
}

export function RulesTableEditor({ config: raw, onChange, mode, readOnly = false, context, problems = [], title = 'rules' }: RulesTableEditorProps) {
  const config = useMemo(() => readRules(raw), [raw]);
  const own = useMemo(() => checkRulesConfig(raw), [raw]);
  const sorted = sortProblems([...own, ...problems], config);
  const engineer = mode === 'engineer' && !readOnly;
  const edit = (next: RulesConfig) => onChange(next as Record<string, unknown>);
  // Each column's kind of value: the checker's type of its expression, else what its cells hold.
  const inputKinds = Object.fromEntries(
    config.inputs.map((inp) => {
      const t = inp.type ?? (inp.expression ? checkExpression(inp.expression, context).type : undefined);
      return [inp.id, kindOf(config.rows.map((r) => r.when[inp.id]?.value), t)];
    }),
  ) as Record<string, ValueKind>;
  const outputKinds = Object.fromEntries(config.outputs.map((o) => [o.id, kindOf([...config.rows.map((r) => r.then[o.id]), config.default?.[o.id]], o.type)])) as Record<string, ValueKind>;

  return (
    <div className={`biz-rules biz-rules-${mode}`} data-testid={`rules-table-${title}`}>
      <div className="biz-rules-head">
        {engineer ? (
          <label>
            Hit policy{' '}
            <select aria-label={`${title} hit policy`} value={config.hitPolicy ?? 'first'} onChange={(e) => edit({ ...config, hitPolicy: e.target.value as 'first' | 'collect' })}>
              <option value="first">first matching row wins</option>
              <option value="collect">collect every matching row</option>
            </select>
          </label>
        ) : (
          <span>
            Hit policy <strong>{(config.hitPolicy ?? 'first') === 'first' ? 'first matching row wins' : 'every matching row applies'}</strong>
          </span>
        )}
        {engineer && config.hitPolicy === 'collect' ? (
          <label>
            collect as <input aria-label={`${title} collectAs`} value={config.collectAs ?? ''} placeholder="matches" onChange={(e) => edit({ ...config, collectAs: e.target.value || undefined })} />
          </label>
        ) : null}
        {engineer ? (
          <>
            <button type="button" onClick={() => edit(addInput(config))}>
              Add input column
            </button>
            <button type="button" onClick={() => edit(addOutput(config))}>
              Add output column
            </button>
          </>
        ) : null}
      </div>
      {sorted.table.map((p) => (
        <div key={p.path + p.message} className={`biz-problem ${p.severity}`} role={p.severity === 'error' ? 'alert' : undefined}>
          {p.path ? `${p.path}: ` : ''}
          {p.message}
        </div>
      ))}
      <div className="biz-table-scroll">
        <table className="grid-table biz-table">
          <thead>
            <tr>
              <th>#</th>
              {config.inputs.map((inp) => (
                <th key={`i-${inp.id}`} className="biz-col-input">
                  {engineer ? (
                    <ColumnHeader kind="input" id={inp.id} config={config} title={title} context={context} edit={edit} problems={sorted.columns.get(`input:${inp.id}`)} />
                  ) : (
                    <span title={inp.expression}>
                      {inp.label ?? inp.id}
                      <small className="biz-col-kind">if</small>
                    </span>
                  )}
                </th>
              ))}
              {config.outputs.map((out) => (
                <th key={`o-${out.id}`} className="biz-col-output">
                  {engineer ? (
                    <ColumnHeader kind="output" id={out.id} config={config} title={title} context={context} edit={edit} problems={sorted.columns.get(`output:${out.id}`)} />
                  ) : (
                    <span>
                      {out.label ?? out.id}
                      {out.unit ? ` (${out.unit})` : ''}
                      <small className="biz-col-kind">then</small>
                    </span>
                  )}
                </th>
              ))}
              <th>in force (event time)</th>
              <th>note</th>
              {readOnly ? null : <th>row</th>}
            </tr>
          </thead>
          <tbody>
            {config.rows.map((row, i) => {
              const n = i + 1;
              const rowProblems = sorted.rows.get(i) ?? [];
              const cols = config.inputs.length + config.outputs.length + (readOnly ? 3 : 4);
              return [
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place (cells follow their values)
                <tr key={`r${i}`} className={rowProblems.some((p) => p.severity === 'error') ? 'biz-row-bad' : undefined} data-testid={`${title}-row-${n}`}>
                  <td className="biz-rownum">{n}</td>
                  {config.inputs.map((inp) => (
                    <td key={inp.id}>
                      <ConditionCell
                        label={`${title} row ${n} ${inp.id}`}
                        cond={row.when[inp.id] ?? { op: 'any' }}
                        kind={inputKinds[inp.id] ?? 'any'}
                        readOnly={readOnly}
                        context={context}
                        onChange={(c) => edit(setCondition(config, i, inp.id, c))}
                      />
                    </td>
                  ))}
                  {config.outputs.map((out) => (
                    <td key={out.id}>
                      <OutputCellInput label={`${title} row ${n} ${out.id}`} cell={row.then[out.id]} kind={outputKinds[out.id] ?? 'any'} readOnly={readOnly} context={context} onChange={(c) => edit(setOutput(config, i, out.id, c ?? null))} />
                    </td>
                  ))}
                  <td className="biz-when">
                    <DateInput label={`${title} row ${n} effectiveFrom`} value={row.effectiveFrom} placeholder="from (any)" readOnly={readOnly} onChange={(v) => edit(updateRow(config, i, { effectiveFrom: v }))} />
                    <DateInput label={`${title} row ${n} effectiveUntil`} value={row.effectiveUntil} placeholder="until (open)" readOnly={readOnly} onChange={(v) => edit(updateRow(config, i, { effectiveUntil: v }))} />
                  </td>
                  <td>
                    <input aria-label={`${title} row ${n} note`} value={row.note ?? ''} readOnly={readOnly} onChange={(e) => edit(updateRow(config, i, { note: e.target.value || undefined }))} />
                  </td>
                  {readOnly ? null : (
                    <td className="biz-row-actions">
                      <button type="button" aria-label={`Move ${title} row ${n} up`} title="Move up" disabled={i === 0} onClick={() => edit(moveRow(config, i, -1))}>
                        ↑
                      </button>
                      <button type="button" aria-label={`Move ${title} row ${n} down`} title="Move down" disabled={i === config.rows.length - 1} onClick={() => edit(moveRow(config, i, 1))}>
                        ↓
                      </button>
                      <button type="button" aria-label={`Duplicate ${title} row ${n}`} title="Duplicate" onClick={() => edit(duplicateRow(config, i))}>
                        copy
                      </button>
                      <button type="button" aria-label={`Add a row below ${title} row ${n}`} title="Add a row below" onClick={() => edit(addRow(config, i))}>
                        +
                      </button>
                      <button type="button" aria-label={`Delete ${title} row ${n}`} title="Delete" onClick={() => edit(deleteRow(config, i))}>
                        ✕
                      </button>
                    </td>
                  )}
                </tr>,
                rowProblems.length > 0 ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the problems of row i
                  <tr key={`p${i}`} className="biz-row-problems">
                    <td />
                    <td colSpan={cols - 1}>
                      {rowProblems.map((p) => (
                        <div key={p.path + p.message} className={`biz-problem ${p.severity}`} data-testid={`${title}-row-${n}-problem`}>
                          {/^row \d/.test(p.message) ? p.message : `row ${n}: ${rowProblemText(p)}`}
                        </div>
                      ))}
                    </td>
                  </tr>
                ) : null,
              ];
            })}
            <tr className="biz-default-row">
              <td className="biz-rownum">else</td>
              <td colSpan={Math.max(1, config.inputs.length)} className="hint">
                no row matches: default
              </td>
              {config.outputs.map((out) => (
                <td key={out.id}>
                  <OutputCellInput
                    label={`${title} default ${out.id}`}
                    cell={config.default?.[out.id]}
                    kind={outputKinds[out.id] ?? 'any'}
                    readOnly={readOnly}
                    context={context}
                    optional
                    onChange={(c) => edit(setDefault(config, out.id, c))}
                  />
                </td>
              ))}
              <td colSpan={readOnly ? 2 : 3}>
                {sorted.default.map((p) => (
                  <div key={p.path + p.message} className={`biz-problem ${p.severity}`}>
                    {p.path}: {p.message}
                  </div>
                ))}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      {readOnly ? null : (
        <button type="button" onClick={() => edit(addRow(config))}>
          Add row
        </button>
      )}
    </div>
  );
}

function ColumnHeader({
  kind,
  id,
  config,
  title,
  context,
  edit,
  problems,
}: {
  kind: 'input' | 'output';
  id: string;
  config: RulesConfig;
  title: string;
  context: CheckContext;
  edit: (c: RulesConfig) => void;
  problems: TableProblem[] | undefined;
}) {
  const col = kind === 'input' ? config.inputs.find((x) => x.id === id) : config.outputs.find((x) => x.id === id);
  const [draftId, setDraftId] = useState(id);
  const [error, setError] = useState<string>();
  if (!col) return null;
  const commitId = () => {
    const next = renameColumn(config, kind, id, draftId.trim());
    if (typeof next === 'string') setError(next);
    else {
      setError(undefined);
      edit(next);
    }
  };
  return (
    <div className="biz-col-head">
      <input
        aria-label={`${title} ${kind} ${id} id`}
        className={`mono${error ? ' has-error' : ''}`}
        value={draftId}
        onChange={(e) => setDraftId(e.target.value)}
        onBlur={commitId}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commitId();
        }}
      />
      {error ? <div className="field-error">{error}</div> : null}
      <input aria-label={`${title} ${kind} ${id} label`} placeholder="label" value={col.label ?? ''} onChange={(e) => edit(updateColumn(config, kind, id, { label: e.target.value || undefined }))} />
      <select
        aria-label={`${title} ${kind} ${id} type`}
        value={col.type ?? ''}
        title="When set, every value in this column must be of this type"
        onChange={(e) => edit(updateColumn(config, kind, id, { type: (e.target.value || undefined) as 'number' | 'string' | 'boolean' | undefined }))}
      >
        <option value="">any type</option>
        <option value="number">number</option>
        <option value="string">text</option>
        <option value="boolean">yes/no</option>
      </select>
      {kind === 'input' && 'expression' in col ? (
        <ExpressionInput label={`${title} input ${id} expression`} value={col.expression} context={context} onChange={(v) => edit(updateColumn(config, kind, id, { expression: v }))} />
      ) : null}
      {kind === 'output' ? (
        <input aria-label={`${title} output ${id} unit`} placeholder="unit" value={'unit' in col ? (col.unit ?? '') : ''} onChange={(e) => edit(updateColumn(config, kind, id, { unit: e.target.value || undefined }))} />
      ) : null}
      <button type="button" aria-label={`Remove ${title} ${kind} column ${id}`} onClick={() => edit(removeColumn(config, kind, id))}>
        Remove column
      </button>
      {problems?.map((p) => (
        <div key={p.path + p.message} className={`biz-problem ${p.severity}`}>
          {p.message}
        </div>
      ))}
    </div>
  );
}

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

function ConditionCell({ label, cond, kind, readOnly, context, onChange }: { label: string; cond: Condition; kind: ValueKind; readOnly: boolean; context: CheckContext; onChange: (c: Condition) => void }) {
  const values = Array.isArray(cond.value) ? cond.value : [];
  return (
    <div className="biz-cell">
      <select aria-label={`${label} operator`} value={cond.op} disabled={readOnly} onChange={(e) => onChange(changeOp(cond, e.target.value as ConditionOp))}>
        {CONDITION_OPS.map((op) => (
          <option key={op} value={op}>
            {op}
          </option>
        ))}
      </select>
      {cond.op === 'any' ? null : cond.op === 'expr' ? (
        readOnly ? (
          <code>{cond.expression}</code>
        ) : (
          <ExpressionInput label={`${label} expression`} value={cond.expression ?? ''} context={context} onChange={(v) => onChange({ op: 'expr', expression: v })} />
        )
      ) : cond.op === 'between' ? (
        <>
          <ValueInput label={`${label} from`} value={values[0] ?? null} kind={kind} readOnly={readOnly} onChange={(v) => onChange({ op: 'between', value: [v, values[1] ?? null] })} />
          <span className="hint">and</span>
          <ValueInput label={`${label} to`} value={values[1] ?? null} kind={kind} readOnly={readOnly} onChange={(v) => onChange({ op: 'between', value: [values[0] ?? null, v] })} />
        </>
      ) : cond.op === 'in' ? (
        <ListInput label={`${label} values`} value={values} kind={kind} readOnly={readOnly} onChange={(v) => onChange({ op: 'in', value: v })} />
      ) : (
        <ValueInput label={`${label} value`} value={Array.isArray(cond.value) ? null : (cond.value ?? null)} kind={kind} readOnly={readOnly} onChange={(v) => onChange({ op: cond.op, value: v })} />
      )}
    </div>
  );
}

function OutputCellInput({
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
        onChange={(e) => onChange(e.target.value === 'expr' ? { expr: isExprCell(cell) ? cell.expr : showScalar(cell) } : e.target.value === 'none' ? undefined : isExprCell(cell) ? null : (cell ?? null))}
      >
        {optional ? <option value="none">unset</option> : null}
        <option value="value">value</option>
        <option value="expr">formula</option>
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

/**
 * A typed value: the text is kept while it does not read as the column's kind (the message says
 * why) and the value changes only when it does. A new value from outside replaces the text.
 */
function ValueInput({ label, value, kind, readOnly, onChange }: { label: string; value: Scalar; kind: ValueKind; readOnly: boolean; onChange: (v: Scalar) => void }) {
  const [shown, setShown] = useState<Scalar>(value);
  const [text, setText] = useState(value === null ? '' : showScalar(value));
  const [error, setError] = useState<string>();
  if (shown !== value) {
    setShown(value);
    setText(value === null ? '' : showScalar(value));
    setError(undefined);
  }
  if (kind === 'boolean') {
    return (
      <select aria-label={label} value={value === null ? '' : String(value)} disabled={readOnly} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value === 'true')}>
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
        aria-invalid={error ? true : undefined}
        className={error ? 'has-error' : undefined}
        inputMode={kind === 'number' ? 'decimal' : undefined}
        value={text}
        readOnly={readOnly}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === '' && kind !== 'string') {
            setError(undefined);
            setShown(null);
            onChange(null);
            return;
          }
          const p = parseValue(t, kind);
          if (!p.ok) return setError(p.message);
          setError(undefined);
          setShown(p.value);
          onChange(p.value);
        }}
      />
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

function ListInput({ label, value, kind, readOnly, onChange }: { label: string; value: Scalar[]; kind: ValueKind; readOnly: boolean; onChange: (v: Scalar[]) => void }) {
  const joined = value.map(showScalar).join(', ');
  const [shown, setShown] = useState(joined);
  const [text, setText] = useState(joined);
  const [error, setError] = useState<string>();
  if (shown !== joined) {
    setShown(joined);
    setText(joined);
    setError(undefined);
  }
  return (
    <span className="biz-value">
      <input
        aria-label={label}
        placeholder="a, b, c"
        className={error ? 'has-error' : undefined}
        value={text}
        readOnly={readOnly}
        onChange={(e) => {
          setText(e.target.value);
          const p = parseList(e.target.value, kind);
          if (!p.ok) return setError(p.message);
          setError(undefined);
          setShown(p.value.map(showScalar).join(', '));
          onChange(p.value);
        }}
      />
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

/** An ISO-8601 instant (event time; the node also takes epoch ms); empty means unbounded. */
function DateInput({ label, value, placeholder, readOnly, onChange }: { label: string; value: string | number | undefined; placeholder: string; readOnly: boolean; onChange: (v: string | undefined) => void }) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  const [shown, setShown] = useState(value);
  const bad = text.trim() !== '' && parseTime(text) === undefined;
  if (shown !== value) {
    setShown(value);
    setText(value === undefined ? '' : String(value));
  }
  return (
    <span className="biz-value">
      <input
        aria-label={label}
        placeholder={placeholder}
        className={bad ? 'has-error' : undefined}
        value={text}
        readOnly={readOnly}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === '') {
            setShown(undefined);
            onChange(undefined);
          } else if (parseTime(t) !== undefined) {
            setShown(t.trim());
            onChange(t.trim());
          }
        }}
      />
      {bad ? <span className="field-error">not a date and time, e.g. 2026-01-01T00:00:00Z</span> : null}
    </span>
  );
}
