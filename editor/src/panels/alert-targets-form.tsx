/**
 * The notification targets of the document's `alerts` section (docs/alerts.md), under the alert
 * rules of the selected node or edge: webhooks (URL, signing secret name) and sinks (a sink type
 * from the node registry and its config, in the same generated form as a sink node's), plus a
 * sink node of this pipeline where the document schema takes it (alert-node-target.tsx). The
 * validator's problems of each target show as you type: a sink config's at its fields.
 */
import { useMemo } from 'react';
import { z } from 'zod';
import type { AlertTarget, Diagnostic, ParamType, SinkTarget } from '@sluice/shared';
import { allDefinitions, nodeDefinitions } from '@sluice/nodes/definitions';
import { ConfigForm } from '../forms/config-form';
import { exampleConfig, useDocument } from '../stores/document-store';
import { asNodeTarget, NodeTargetFields, newNodeTarget } from './alert-node-target';
import { changeAlerts, freeId, problemsUnder, sinkConfigProblems } from './alert-section';

/** The sink a new sink target writes to: a file, the simplest to read back. */
const FIRST_SINK = 'sink.file';

export function AlertTargets({ targets, diagnostics }: { targets: readonly AlertTarget[]; diagnostics: readonly Diagnostic[] }) {
  const replace = (index: number, fn: (t: AlertTarget) => AlertTarget) =>
    changeAlerts((a) => ({ ...a, targets: (a.targets ?? []).map((t, i) => (i === index ? fn(t) : t)) }));
  const update = (index: number, patch: Record<string, string | undefined>) =>
    replace(index, (t) => {
      const next = { ...t, ...patch } as Record<string, unknown>;
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
      return next as unknown as AlertTarget;
    });
  const add = (make: (taken: readonly AlertTarget[]) => AlertTarget) =>
    changeAlerts((a) => ({ ...a, targets: [...(a.targets ?? []), make(a.targets ?? [])] }));
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
        const problems = problemsUnder(diagnostics, at);
        // A sink config's problems show at its fields; the rest under the target.
        const below = t.type === 'sink' ? problems.filter((d) => !d.path?.startsWith(`${at}.sink.config.`)) : problems;
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
            ) : t.type === 'sink' ? (
              <SinkTargetFields
                target={t}
                at={at}
                problems={problems}
                onChange={(sink) => replace(index, (old) => ({ ...old, sink }) as AlertTarget)}
              />
            ) : asNodeTarget(t) ? (
              <NodeTargetFields target={asNodeTarget(t)!} onChange={(node) => update(index, { node })} />
            ) : (
              <p className="hint">A {(t as { type: string }).type} target: edit it in the JSON.</p>
            )}
            {below.map((d) => (
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
      <div className="alert-target-adds">
        <button type="button" onClick={() => add((taken) => ({ id: freeId(taken, 'hook'), type: 'webhook', url: 'https://' }))}>
          Add webhook target
        </button>
        <button
          type="button"
          onClick={() =>
            add((taken) => ({ id: freeId(taken, 'sink'), type: 'sink', sink: { type: FIRST_SINK, config: exampleConfig(FIRST_SINK) } }))
          }
        >
          Add sink target
        </button>
        <button
          type="button"
          onClick={() => add((taken) => newNodeTarget(freeId(taken, 'node'), useDocument.getState().doc) as unknown as AlertTarget)}
        >
          Add sink node target
        </button>
      </div>
    </div>
  );
}

function SinkTargetFields({
  target,
  at,
  problems,
  onChange,
}: {
  target: SinkTarget;
  at: string;
  problems: readonly Diagnostic[];
  onChange: (sink: SinkTarget['sink']) => void;
}) {
  const params = useDocument((s) => s.doc.params);
  const sinks = useMemo(() => allDefinitions().filter((d) => d.category === 'sink'), []);
  const def = nodeDefinitions.get(target.sink.type);
  const schema = useMemo(() => (def ? (z.toJSONSchema(def.config, { io: 'input', unrepresentable: 'any' }) as never) : undefined), [def]);
  const byPath = useMemo(() => sinkConfigProblems(problems, at), [problems, at]);
  const paramTypes = Object.fromEntries(Object.entries(params ?? {}).map(([k, p]) => [k, p.type])) as Record<string, ParamType>;
  return (
    <>
      <label className="field">
        <span className="field-name">sink type</span>
        <select
          aria-label="target sink type"
          value={target.sink.type}
          // Another type's config means nothing to this one: it starts from the type's example.
          onChange={(e) => onChange({ type: e.target.value, config: exampleConfig(e.target.value) })}
        >
          {def?.category === 'sink' ? null : <option value={target.sink.type}>{target.sink.type}</option>}
          {sinks.map((d) => (
            <option key={d.type} value={d.type}>
              {d.title} ({d.type})
            </option>
          ))}
        </select>
      </label>
      {schema && def?.category === 'sink' ? (
        <fieldset className="alert-target-config" aria-label={`${target.id} sink config`}>
          <ConfigForm
            schema={schema}
            value={target.sink.config}
            context={{ params: paramTypes }}
            problems={byPath}
            onChange={(config) => onChange({ type: target.sink.type, config })}
          />
        </fieldset>
      ) : null}
    </>
  );
}
