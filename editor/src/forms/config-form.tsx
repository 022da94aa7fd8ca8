/**
 * The config form of a node, generated from its definition's JSON Schema (the same schema the
 * server validates with): text, numbers, enums, booleans, durations, lists, key/value maps,
 * lists of objects, and expressions checked as you type.
 */
import { DURATION_FORMAT, type EventSchema, EXPRESSION_FORMAT } from '@sluice/shared';
import { ExpressionInput, type FormContext } from './expression-input';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
  const?: unknown;
  default?: unknown;
};

/**
 * A choice field's options: an enum, or a union of constants (`qos: 0 | 1 | 2` comes as anyOf
 * of consts). Undefined for anything else.
 */
export function choicesOf(schema: Schema): unknown[] | undefined {
  if (schema.enum) return schema.enum;
  if (schema.anyOf && schema.anyOf.length > 0 && schema.anyOf.every((x) => 'const' in x)) return schema.anyOf.map((x) => x.const);
  return undefined;
}

/** The option a select's text stands for, with its type (the number 1, not "1"). */
export function pickChoice(choices: readonly unknown[], text: string): unknown {
  return text === '' ? undefined : choices.find((c) => String(c) === text);
}

export interface FormProps {
  schema: Schema;
  value: Record<string, unknown>;
  onChange: (v: Record<string, unknown>) => void;
  context: FormContext;
  /**
   * The validator's problems of this node by config path (`config.size`, `config.keyBy[0]`),
   * shown at their field. Expressions check themselves as you type: their `expr-*` problems are left out.
   */
  problems?: ReadonlyMap<string, string[]>;
  /** Top-level fields left out for the rest of the config (a tumbling window's slide and gap). */
  hidden?: ReadonlySet<string>;
}

const NO_PROBLEMS: ReadonlyMap<string, string[]> = new Map();

export function ConfigForm({ schema, value, onChange, context, problems = NO_PROBLEMS, hidden }: FormProps) {
  return (
    <ObjectFields schema={schema} value={value} onChange={onChange} context={context} problems={problems} hidden={hidden} path="config" />
  );
}

/**
 * The problems shown at the field at `path`: its own, and those of a string list's items
 * (`config.keyBy[0]`). A list of objects shows its rows' problems in each row instead.
 */
function problemsAt(problems: ReadonlyMap<string, string[]>, path: string, schema: Schema): string[] {
  const own = problems.get(path) ?? [];
  const s = schema.anyOf?.find((x) => x.type !== 'null') ?? schema;
  if (s.type !== 'array' || s.items?.type === 'object') return own;
  const items = [...problems.entries()]
    .filter(([p]) => p.startsWith(`${path}[`))
    .flatMap(([p, list]) => list.map((m) => `${p.slice(path.length)}: ${m}`));
  return [...own, ...items];
}

function ObjectFields({ schema, value, onChange, context, path, problems = NO_PROBLEMS, hidden }: FormProps & { path: string }) {
  const props = Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([key]) => !hidden?.has(key)));
  return (
    <div className="fields">
      {Object.entries(props).map(([key, s]) => {
        const here = problemsAt(problems, `${path}.${key}`, s);
        return (
          <div key={key} className={`field${here.length > 0 ? ' field-has-problem' : ''}`}>
            <span className="field-name">
              {key}
              {schema.required?.includes(key) ? ' *' : ''}
            </span>
            <Field
              schema={s}
              value={value[key]}
              onChange={(v) => onChange(setKey(value, key, v))}
              context={context}
              problems={problems}
              path={`${path}.${key}`}
            />
            {here.map((m) => (
              <small key={m} className="field-error" data-testid={`problem-${path}.${key}`}>
                {m}
              </small>
            ))}
            {s.description ? <small className="hint">{s.description}</small> : null}
          </div>
        );
      })}
    </div>
  );
}

function setKey(o: Record<string, unknown>, k: string, v: unknown): Record<string, unknown> {
  const next = { ...o };
  if (v === undefined || v === '') delete next[k];
  else next[k] = v;
  return next;
}

function Field({
  schema,
  value,
  onChange,
  context,
  path,
  problems,
}: {
  schema: Schema;
  value: unknown;
  onChange: (v: unknown) => void;
  context: FormContext;
  path: string;
  problems: ReadonlyMap<string, string[]>;
}) {
  const s = schema.anyOf?.find((x) => x.type !== 'null' && x.format !== undefined) ?? schema.anyOf?.[0] ?? schema;
  const format = schema.format ?? s.format;
  if (format === EXPRESSION_FORMAT)
    return <ExpressionInput label={path} value={typeof value === 'string' ? value : ''} onChange={onChange} context={context} />;
  const objectBranch = schema.anyOf?.some((x) => x.type === 'object' || x.type === 'array');
  if (objectBranch) return <JsonField value={value} onChange={onChange} path={path} />;
  const choices = choicesOf(schema) ?? choicesOf(s);
  if (choices) {
    return (
      <select
        aria-label={path}
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(pickChoice(choices, e.target.value))}
      >
        <option value="">—</option>
        {choices.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  }
  if (format === DURATION_FORMAT || schema.anyOf) {
    return (
      <input
        aria-label={path}
        placeholder="10s"
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  // A number or a text (a generator's startTime: epoch ms or an ISO time), typed without JSON quotes.
  if (Array.isArray(s.type) && s.type.includes('number') && s.type.includes('string'))
    return <NumberOrTextInput path={path} value={value} onChange={onChange} />;
  if (s.type === 'boolean')
    return <input type="checkbox" aria-label={path} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  if (s.type === 'number' || s.type === 'integer') {
    return (
      <input
        type="number"
        aria-label={path}
        value={typeof value === 'number' ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    );
  }
  if (s.type === 'array' && s.items?.type === 'string') {
    return (
      <input
        aria-label={path}
        placeholder="a, b"
        value={Array.isArray(value) ? value.join(', ') : ''}
        onChange={(e) =>
          onChange(
            e.target.value
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean),
          )
        }
      />
    );
  }
  if (s.type === 'array' && s.items?.type === 'object') {
    const list = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
    return (
      <div className="list">
        {list.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div key={i} className="list-row">
            <ObjectFields
              schema={s.items!}
              value={item}
              context={context}
              problems={problems}
              path={`${path}[${i}]`}
              onChange={(v) => onChange(list.map((x, j) => (j === i ? v : x)))}
            />
            <button type="button" onClick={() => onChange(list.filter((_, j) => j !== i))} aria-label={`remove ${path}[${i}]`}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => onChange([...list, {}])}>
          Add
        </button>
      </div>
    );
  }
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    const entries = Object.entries((value as Record<string, unknown>) ?? {});
    const isExpr = s.additionalProperties.format === EXPRESSION_FORMAT;
    return (
      <div className="list">
        {entries.map(([k, v], i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: keys are being edited
          <div key={i} className="kv-row">
            <input
              aria-label={`${path} name ${i}`}
              value={k}
              onChange={(e) => onChange(Object.fromEntries(entries.map(([kk, vv], j) => (j === i ? [e.target.value, vv] : [kk, vv]))))}
            />
            {isExpr ? (
              <ExpressionInput
                label={`${path}.${k}`}
                value={String(v ?? '')}
                context={context}
                onChange={(nv) => onChange({ ...(value as object), [k]: nv })}
              />
            ) : (
              <input
                aria-label={`${path}.${k}`}
                value={String(v ?? '')}
                onChange={(e) => onChange({ ...(value as object), [k]: e.target.value })}
              />
            )}
          </div>
        ))}
        <button type="button" onClick={() => onChange({ ...((value as object) ?? {}), [`field${entries.length + 1}`]: '' })}>
          Add
        </button>
      </div>
    );
  }
  if (s.type === 'string')
    return <input aria-label={path} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value)} />;
  return <JsonField value={value} onChange={onChange} path={path} />;
}

/** Digits give a number (epoch ms), anything else the text as typed. */
export const numberOrText = (text: string): number | string | undefined =>
  text.trim() === '' ? undefined : /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text;

function NumberOrTextInput({ path, value, onChange }: { path: string; value: unknown; onChange: (v: unknown) => void }) {
  return (
    <input
      aria-label={path}
      value={typeof value === 'string' || typeof value === 'number' ? String(value) : ''}
      onChange={(e) => onChange(numberOrText(e.target.value))}
    />
  );
}

function JsonField({ value, onChange, path }: { value: unknown; onChange: (v: unknown) => void; path: string }) {
  return (
    <textarea
      aria-label={path}
      className="mono"
      defaultValue={value === undefined ? '' : JSON.stringify(value, null, 2)}
      onBlur={(e) => {
        try {
          onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
        } catch {
          // keep the text; the problems panel shows the config error
        }
      }}
    />
  );
}

export type { EventSchema };
