/**
 * The alert rules watching the selected node or edge, edited where they apply (docs/alerts.md):
 * add, change and remove rules and the targets they notify. Every change goes into the document
 * (and its autosave); the validator's own diagnostics for each rule show under it as you type,
 * and a `where` is checked by the expression field against the edge's schema. While the pipeline
 * runs, each rule shows its state on the server (ok, pending, firing).
 */
import {
  type AlertCondition,
  type AlertRule,
  type AlertsSection,
  type AlertTarget,
  type Diagnostic,
  type EventSchema,
  isDataRule,
  type ParamType,
  type PipelineDocument,
  unitOf,
} from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { ExpressionInput } from '../forms/expression-input';
import { useAlerts } from '../stores/alert-store';
import { useDocument } from '../stores/document-store';

const NODE_KINDS: AlertCondition[] = ['rate_below', 'error_ratio_above', 'watermark_lag_above', 'backlog_growing'];
const EDGE_KINDS: AlertCondition[] = ['rate_below', 'share_above', 'count_above'];

const DEFAULT_VALUE: Record<AlertCondition, number | undefined> = {
  rate_below: 1,
  error_ratio_above: 0.05,
  watermark_lag_above: 30,
  backlog_growing: undefined,
  share_above: 0.05,
  count_above: 10,
};

type Watch = { node: string } | { edge: string };

function changeAlerts(fn: (a: AlertsSection) => AlertsSection): void {
  useDocument.getState().change((d: PipelineDocument) => {
    const next = fn(d.alerts ?? { rules: [] });
    const { alerts: _old, ...rest } = d;
    // An empty section is no section: the document stays as it was before the first rule.
    return next.rules.length === 0 && (next.targets ?? []).length === 0 ? rest : { ...rest, alerts: next };
  });
}

function freeId(taken: readonly { id: string }[], stem: string): string {
  const ids = new Set(taken.map((x) => x.id));
  let i = 1;
  while (ids.has(`${stem}_${i}`)) i++;
  return `${stem}_${i}`;
}

export function AlertRulesForm({
  watch,
  diagnostics,
  schema,
}: {
  watch: Watch;
  diagnostics: readonly Diagnostic[];
  /** The edge's event schema (a `where` is checked against it). */
  schema?: EventSchema | undefined;
}) {
  const alerts = useDocument((s) => s.doc.alerts);
  const params = useDocument((s) => s.doc.params);
  const states = useAlerts((s) => s.byRule);
  const rules = alerts?.rules ?? [];
  const targets = alerts?.targets ?? [];
  const onEdge = 'edge' in watch;
  const mine = rules.map((r, index) => ({ r, index })).filter(({ r }) => (onEdge ? r.edge === watch.edge : r.node === watch.node));
  const paramTypes = Object.fromEntries(Object.entries(params ?? {}).map(([k, p]) => [k, p.type])) as Record<string, ParamType>;

  const update = (index: number, patch: Partial<AlertRule>) =>
    changeAlerts((a) => ({
      ...a,
      rules: a.rules.map((r, i) => {
        if (i !== index) return r;
        const next: AlertRule = { ...r, ...patch };
        for (const k of Object.keys(patch) as (keyof AlertRule)[]) if (patch[k] === undefined) delete next[k];
        return next;
      }),
    }));
  const add = () =>
    changeAlerts((a) => ({
      ...a,
      rules: [...a.rules, { id: freeId(a.rules, 'alert'), ...watch, when: 'rate_below', value: 1, for: '1m' }],
    }));
  const remove = (index: number) => changeAlerts((a) => ({ ...a, rules: a.rules.filter((_, i) => i !== index) }));
  const setKind = (index: number, r: AlertRule, when: AlertCondition) => {
    const data = isDataRule({ when });
    update(index, {
      when,
      // Units differ from kind to kind (events/s, a share, seconds): a kept number would mean something else.
      value: DEFAULT_VALUE[when],
      where: data ? (r.where ?? '') : undefined,
      window: data ? (r.window ?? '5m') : undefined,
    });
  };

  return (
    <section className="alert-rules" aria-label="Alert rules">
      <h3>Alerts</h3>
      {mine.length === 0 ? <p className="hint">No alert rule watches this {onEdge ? 'edge' : 'node'}.</p> : null}
      {mine.map(({ r, index }) => {
        const at = `alerts.rules[${index}]`;
        const problems = diagnostics.filter((d) => d.path === at || d.path?.startsWith(`${at}.`));
        const state = states[r.id]?.state ?? 'ok';
        return (
          <fieldset key={r.id} className="alert-rule" data-testid={`alert-rule-${r.id}`}>
            <legend>
              {r.name ?? r.id}{' '}
              <span className={`alert-state alert-${state}`} data-testid={`alert-state-${r.id}`}>
                {state}
              </span>
            </legend>
            <label className="field">
              <span className="field-name">name</span>
              <input aria-label="alert name" value={r.name ?? ''} onChange={(e) => update(index, { name: e.target.value || undefined })} />
            </label>
            <label className="field">
              <span className="field-name">when</span>
              <select aria-label="alert kind" value={r.when} onChange={(e) => setKind(index, r, e.target.value as AlertCondition)}>
                {(onEdge ? EDGE_KINDS : NODE_KINDS).map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            {isDataRule(r) ? (
              <div className="field">
                <span className="field-name">where</span>
                <ExpressionInput
                  label="where"
                  value={r.where ?? ''}
                  context={schema ? { params: paramTypes, schema } : { params: paramTypes }}
                  onChange={(v) => update(index, { where: v })}
                />
              </div>
            ) : null}
            {r.when !== 'backlog_growing' ? (
              <label className="field">
                <span className="field-name">threshold ({unitOf(r.when)})</span>
                <input
                  aria-label="alert threshold"
                  type="number"
                  min={0}
                  step="any"
                  value={r.value ?? ''}
                  onChange={(e) => update(index, { value: e.target.value === '' ? undefined : Number(e.target.value) })}
                />
              </label>
            ) : null}
            {isDataRule(r) ? (
              <DurationField name="window" value={r.window} placeholder="5m" onChange={(window) => update(index, { window })} />
            ) : null}
            <DurationField name="for" value={r.for} placeholder="1m" onChange={(v) => update(index, { for: v })} />
            <div className="field">
              <span className="field-name">notify</span>
              {targets.length === 0 ? <span className="hint">add a target below</span> : null}
              {targets.map((t) => (
                <label key={t.id} className="check">
                  <input
                    type="checkbox"
                    aria-label={`notify ${t.id}`}
                    checked={(r.notify ?? []).includes(t.id)}
                    onChange={(e) => {
                      const rest = (r.notify ?? []).filter((x) => x !== t.id);
                      const notify = e.target.checked ? [...rest, t.id] : rest;
                      update(index, { notify: notify.length > 0 ? notify : undefined });
                    }}
                  />{' '}
                  {t.id}
                </label>
              ))}
            </div>
            {problems.length > 0 ? (
              <ul className="problems" data-testid={`alert-problems-${r.id}`}>
                {problems.map((d) => (
                  <li key={`${d.path}:${d.message}`} className="error">
                    {d.message}
                  </li>
                ))}
              </ul>
            ) : null}
            <button type="button" onClick={() => remove(index)}>
              Remove alert
            </button>
          </fieldset>
        );
      })}
      <button type="button" onClick={add}>
        Add alert rule
      </button>
      <AlertTargets targets={targets} diagnostics={diagnostics} />
    </section>
  );
}

/** A duration as typed (`5m`); empty: the default (the placeholder). */
function DurationField({
  name,
  value,
  placeholder,
  onChange,
}: {
  name: string;
  value: string | number | undefined;
  placeholder: string;
  onChange: (v: string | undefined) => void;
}) {
  return (
    <label className="field">
      <span className="field-name">{name}</span>
      <input
        aria-label={`alert ${name}`}
        value={String(value ?? '')}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value || undefined)}
      />
    </label>
  );
}

/**
 * The section's targets: webhooks, and sink nodes of the graph (a select of the document's sink
 * nodes). A sink target is edited in the JSON: it holds a whole sink config.
 */
function AlertTargets({ targets, diagnostics }: { targets: readonly AlertTarget[]; diagnostics: readonly Diagnostic[] }) {
  const nodes = useDocument((s) => s.doc.nodes);
  const sinkNodes = nodes.filter((n) => nodeDefinitions.get(n.type)?.category === 'sink').map((n) => n.id);
  const update = (index: number, patch: Record<string, string | undefined>) =>
    changeAlerts((a) => ({
      ...a,
      targets: (a.targets ?? []).map((t, i) => {
        if (i !== index) return t;
        const next = { ...t, ...patch } as Record<string, unknown>;
        for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
        return next as unknown as AlertTarget;
      }),
    }));
  const add = () =>
    changeAlerts((a) => ({
      ...a,
      targets: [...(a.targets ?? []), { id: freeId(a.targets ?? [], 'hook'), type: 'webhook', url: 'https://' }],
    }));
  const addNode = () =>
    changeAlerts((a) => ({
      ...a,
      targets: [...(a.targets ?? []), { id: freeId(a.targets ?? [], 'node'), type: 'node', node: sinkNodes[0] ?? '' }],
    }));
  const remove = (index: number, id: string) =>
    changeAlerts((a) => ({
      rules: a.rules.map((r) => (r.notify?.includes(id) ? { ...r, notify: r.notify.filter((x) => x !== id) } : r)),
      targets: (a.targets ?? []).filter((_, i) => i !== index),
    }));
  return (
    <div className="alert-targets">
      <h4>Notification targets</h4>
      {targets.map((t, index) => {
        const at = `alerts.targets[${index}]`;
        const problems = diagnostics.filter((d) => d.path === at || d.path?.startsWith(`${at}.`));
        return (
          <fieldset key={t.id} className="alert-target" data-testid={`alert-target-${t.id}`}>
            <legend>
              {t.id} ({t.type})
            </legend>
            {t.type === 'webhook' ? (
              <>
                <label className="field">
                  <span className="field-name">url</span>
                  <input aria-label="webhook url" value={t.url} onChange={(e) => update(index, { url: e.target.value })} />
                </label>
                <label className="field">
                  <span className="field-name">signing secret (name)</span>
                  <input
                    aria-label="webhook signing secret"
                    value={t.signingSecret ?? ''}
                    placeholder="OPS_HOOK_KEY"
                    onChange={(e) => update(index, { signingSecret: e.target.value || undefined })}
                  />
                </label>
              </>
            ) : t.type === 'node' ? (
              <label className="field">
                <span className="field-name">sink node</span>
                <select aria-label="target sink node" value={t.node} onChange={(e) => update(index, { node: e.target.value })}>
                  {(sinkNodes.includes(t.node) ? sinkNodes : [t.node, ...sinkNodes]).map((id) => (
                    <option key={id} value={id}>
                      {id}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <p className="hint">{t.sink.type} sink (edit its config in the JSON)</p>
            )}
            {problems.map((d) => (
              <p key={`${d.path}:${d.message}`} className="message error">
                {d.message}
              </p>
            ))}
            <button type="button" onClick={() => remove(index, t.id)}>
              Remove target
            </button>
          </fieldset>
        );
      })}
      <button type="button" onClick={add}>
        Add webhook target
      </button>
      {sinkNodes.length > 0 ? (
        <button type="button" onClick={addNode}>
          Add sink node target
        </button>
      ) : null}
    </div>
  );
}
