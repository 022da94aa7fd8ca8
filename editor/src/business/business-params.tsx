/** The business page's parameters: label, draft value (typed, bounded), live value, and what is allowed. */
import type { ParamSpec, ParamValue } from '@sluice/shared';
import { useState } from 'react';
import type { BusinessPageState, Loaded } from './business-page-state';
import { paramProblem } from './draft';

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

interface ParamsSectionProps {
  params: [string, ParamSpec][];
  loaded: Loaded;
  badParams: BusinessPageState['badParams'];
  /** The reasons a param was refused (the server's and the draft's own check). */
  errorsOf: (name: string) => string[];
  readOnly: boolean;
  onEdit: (name: string, spec: ParamSpec, text: string, value: ParamValue) => void;
}

export function ParamsSection({ params, loaded, badParams, errorsOf, readOnly, onEdit }: ParamsSectionProps) {
  const deployed = loaded.deployment;
  return (
    <section className="biz-params" aria-label="Parameters">
      <h2>Parameters</h2>
      {params.length === 0 ? <p className="hint">This pipeline exposes no parameters.</p> : null}
      {params.length > 0 ? (
        <table className="grid-table biz-param-table">
          <thead>
            <tr>
              <th>Parameter</th>
              <th>Draft value</th>
              <th>{deployed?.ended ? 'Last run' : 'Live value'}</th>
              <th>Allowed</th>
            </tr>
          </thead>
          <tbody>
            {params.map(([name, spec]) => {
              const bad = badParams[name];
              const errs = [...(bad ? [bad.message] : []), ...errorsOf(name)];
              const live = deployed ? deployed.params[name] : undefined;
              const saved = loaded.doc.params?.[name]?.value;
              return (
                <tr key={name} data-testid={`param-${name}`} className={errs.length > 0 ? 'biz-row-bad' : undefined}>
                  <td>
                    {/* The internal name only where there is no label: a business user reads labels. */}
                    <label htmlFor={`biz-param-${name}`} className="biz-param-label" title={name}>
                      {spec.label ?? name}
                    </label>
                    {spec.description ? <div className="hint">{spec.description}</div> : null}
                  </td>
                  <td>
                    <ParamInput
                      name={name}
                      spec={spec}
                      invalid={bad !== undefined}
                      readOnly={readOnly}
                      onEdit={(text, v) => onEdit(name, spec, text, v)}
                    />
                    {spec.unit ? <span className="biz-unit">{spec.unit}</span> : null}
                    {saved !== spec.value ? <div className="hint">was {show(saved)}</div> : null}
                    {errs.map((m) => (
                      <div key={m} className="field-error" role="alert" data-testid={`param-${name}-error`}>
                        {m}
                      </div>
                    ))}
                  </td>
                  <td className={live !== undefined && live !== spec.value ? 'biz-differs' : undefined}>
                    {deployed ? show(live) : <span className="hint">not running</span>}
                    {deployed && spec.unit ? ` ${spec.unit}` : ''}
                  </td>
                  <td className="hint">{bounds(spec)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function bounds(spec: ParamSpec): string {
  const unit = spec.unit ? ` ${spec.unit}` : '';
  if (spec.min !== undefined && spec.max !== undefined) return `${spec.min} to ${spec.max}${unit}`;
  if (spec.min !== undefined) return `at least ${spec.min}${unit}`;
  if (spec.max !== undefined) return `at most ${spec.max}${unit}`;
  return spec.type === 'number' ? 'any number' : spec.type;
}

/** One param's input, typed from its spec; min/max are set on it too, and checked on every key. */
function ParamInput({
  name,
  spec,
  invalid,
  readOnly,
  onEdit,
}: {
  name: string;
  spec: ParamSpec;
  invalid: boolean;
  readOnly: boolean;
  onEdit: (text: string, v: ParamValue) => void;
}) {
  const id = `biz-param-${name}`;
  // The text stays as typed ("2400." is on its way to a number); a value from outside (Discard, a save) replaces it.
  const [shown, setShown] = useState(spec.value);
  const [text, setText] = useState(String(spec.value));
  if (shown !== spec.value) {
    setShown(spec.value);
    setText(String(spec.value));
  }
  if (spec.type === 'boolean') {
    return (
      <input
        id={id}
        type="checkbox"
        checked={spec.value === true}
        disabled={readOnly}
        onChange={(e) => onEdit(String(e.target.checked), e.target.checked)}
      />
    );
  }
  const type = spec.type === 'number' ? 'number' : 'text';
  return (
    <input
      id={id}
      type={type}
      step={type === 'number' ? 'any' : undefined}
      min={spec.min}
      max={spec.max}
      readOnly={readOnly}
      aria-invalid={invalid ? true : undefined}
      className={invalid ? 'has-error' : undefined}
      value={text}
      onChange={(e) => {
        const t = e.target.value;
        const v = type === 'number' ? (t.trim() === '' ? Number.NaN : Number(t)) : t;
        setText(t);
        if (!invalid && v === spec.value) return;
        if (paramProblem(name, spec, v) === undefined) setShown(v);
        onEdit(t, v);
      }}
    />
  );
}
