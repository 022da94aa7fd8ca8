/**
 * The business users' page of a pipeline (`#/p/:id/business`): no graph, only what they may
 * change — the exposed params (label, unit, bounds; live value beside the draft) and the exposed
 * rule tables — the change list in words, and Save draft / Preview / Deploy / Discard. Viewers
 * read it. A refused call's reasons show beside the field or row they name.
 */
import { type CheckContext, type EventSchema, mergeSchemas, type ParamSpec, type ParamType, type ParamValue, type PipelineDocument, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, api } from '../api/client';
import { canEditGraph } from '../pages/roles';
import { formatRoute } from '../pages/route';
import { applyDraft, draftChanges, exposedParams, exposedRuleNodes, paramProblem, setParam, setRulesConfig } from './draft';
import { NO_ERRORS, type PlacedErrors, placeDiagnostics, placeErrors } from './place-errors';
import { PreviewView } from './preview-view';
import { RulesTableEditor } from './rules-table-editor';

interface Loaded {
  doc: PipelineDocument;
  version: number;
  status: string;
  /**
   * What the running deployment uses, when one is recorded; `ended` when that run completed (a
   * bounded pipeline): its values are what last ran.
   */
  deployment?: { version: number; params: Record<string, ParamValue>; ended?: { at: string } } | null;
}

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

export function BusinessPage({ pipelineId, role }: { pipelineId: string; role: string }) {
  const [loaded, setLoaded] = useState<Loaded>();
  const [draft, setDraft] = useState<PipelineDocument>();
  const [loadError, setLoadError] = useState<string>();
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  // Text typed in a param input that is not (yet) an acceptable value: the draft keeps the last good one.
  const [badParams, setBadParams] = useState<Record<string, { text: string; message: string }>>({});
  const [busy, setBusy] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [preview, setPreview] = useState<PipelineDocument>();
  const readOnly = role === 'viewer';

  const load = useCallback(async () => {
    try {
      const [r, s] = await Promise.all([api.get(pipelineId), api.status(pipelineId).catch(() => undefined)]);
      const deployment = (s as { deployment?: Loaded['deployment'] } | undefined)?.deployment;
      setLoaded({ doc: r.pipeline.document, version: r.pipeline.version, status: r.status, deployment });
      setDraft(r.pipeline.document);
      setBadParams({});
      setLoadError(undefined);
    } catch (err) {
      setLoadError(err instanceof ApiError ? err.message : String(err));
    }
  }, [pipelineId]);
  useEffect(() => {
    void load();
  }, [load]);

  const changes = useMemo(() => (loaded && draft ? draftChanges(loaded.doc, draft) : []), [loaded, draft]);
  // A reload or closing the tab with unsaved changes asks first.
  const unsaved = changes.length > 0;
  useEffect(() => {
    if (!unsaved) return;
    const onLeave = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onLeave);
    return () => window.removeEventListener('beforeunload', onLeave);
  }, [unsaved]);
  const validation = useMemo(() => (draft ? validateDocument(draft, nodeDefinitions) : undefined), [draft]);

  if (loadError) {
    return (
      <div className="page biz-page">
        <p className="biz-problem error" role="alert">
          Cannot open pipeline "{pipelineId}": {loadError}
        </p>
      </div>
    );
  }
  if (!loaded || !draft || !validation) return <p className="page hint">Loading…</p>;

  const paramTypes = Object.fromEntries(Object.entries(draft.params ?? {}).map(([k, p]) => [k, p.type])) as Record<string, ParamType>;
  const contextFor = (nodeId: string): CheckContext => {
    const schema: EventSchema | undefined = mergeSchemas(draft.edges.filter((e) => e.target === nodeId).map((e) => validation.schemas?.[e.id])) ?? undefined;
    return schema ? { params: paramTypes, schema } : { params: paramTypes };
  };
  const params = exposedParams(draft);
  const tables = exposedRuleNodes(draft);
  // Only the errors in what this page edits block it: an engineer's broken node elsewhere is not hers to fix.
  const editable = new Set(tables.map((n) => n.id));
  const blocking = validation.diagnostics.filter((d) => d.severity === 'error' && ((d.nodeId && editable.has(d.nodeId)) || params.some(([name]) => d.path?.startsWith(`params.${name}`))));
  const local = placeDiagnostics(blocking);
  const hasBad = Object.keys(badParams).length > 0;
  const canSave = !readOnly && !busy && changes.length > 0 && !hasBad && blocking.length === 0;
  const why = hasBad ? 'Fix the values marked in red first' : blocking.length > 0 ? 'Fix the problems marked in the tables first' : changes.length === 0 ? 'No changes yet' : undefined;

  const editParam = (name: string, spec: ParamSpec, text: string, value: ParamValue) => {
    const problem = paramProblem(name, spec, value);
    setBadParams(({ [name]: _, ...rest }) => (problem ? { ...rest, [name]: { text, message: problem } } : rest));
    if (!problem) setDraft((d) => (d ? setParam(d, name, value) : d));
  };

  /** PUT only this page's changes (laid onto the latest stored version); the new base on success. */
  const save = async (): Promise<boolean> => {
    if (changes.length === 0) return true;
    const latest = await api.get(pipelineId);
    const { document, conflicts } = applyDraft(latest.pipeline.document, loaded.doc, draft);
    if (conflicts.length > 0) {
      setErrors({ ...NO_ERRORS, general: [...conflicts.map((c) => `Not saved: ${c}.`), 'Discard to start again from the latest version.'] });
      return false;
    }
    const note = changes
      .map((c) => c.text)
      .join('; ')
      .slice(0, 500);
    const r = await api.save(pipelineId, document, note);
    setLoaded((l) => (l ? { ...l, doc: r.pipeline.document, version: r.pipeline.version } : l));
    setDraft(r.pipeline.document);
    // The server stores an invalid draft too; say why it could not run, beside what it names.
    const invalid = (r.diagnostics ?? []).filter((d) => d.severity === 'error');
    if (r.valid === false && invalid.length > 0) {
      setErrors(placeDiagnostics(invalid, 'Saved, but this version cannot be deployed as it is:'));
      return false;
    }
    return true;
  };
  const act = async (name: string, f: () => Promise<string | undefined>) => {
    setBusy(name);
    setErrors(NO_ERRORS);
    setNotice(undefined);
    try {
      const done = await f();
      if (done) setNotice(done);
    } catch (err) {
      setErrors(placeErrors(err));
    } finally {
      setBusy(undefined);
    }
  };
  const saveDraft = () => act('save', async () => ((await save()) ? 'Draft saved (not deployed yet).' : undefined));
  const deploy = () =>
    act('deploy', async () => {
      if (!(await save())) return undefined;
      await api.deploy(pipelineId);
      const s = (await api.status(pipelineId)) as { status: string; deployment?: Loaded['deployment'] };
      setLoaded((l) => (l ? { ...l, status: s.status, deployment: s.deployment } : l));
      return 'Deployed.';
    });
  const discard = () => {
    setErrors(NO_ERRORS);
    setNotice(undefined);
    setPreview(undefined);
    void load();
  };

  const deployed = loaded.deployment;
  const paramErrors = (name: string) => [...(errors.params[name] ?? []), ...(local.params[name] ?? [])];
  return (
    <div className="page biz-page" data-testid="business-page">
      <div className="page-head">
        <h1>{draft.name ?? pipelineId}</h1>
        <span className={`status status-${loaded.status}`} data-testid="biz-status">
          {loaded.status}
        </span>
        <span className="hint">
          version {loaded.version}
          {deployed ? `, v${deployed.version} ${deployed.ended ? 'last ran (completed)' : 'deployed'}` : ''}
        </span>
        <a className="button" href={formatRoute({ page: 'history', id: pipelineId })}>
          History
        </a>
        {canEditGraph(role) ? (
          <a className="button" href={formatRoute({ page: 'editor', id: pipelineId })}>
            Open the graph
          </a>
        ) : null}
        {readOnly ? <span className="badge">read-only</span> : null}
      </div>
      {draft.description ? <p className="biz-description">{draft.description}</p> : null}

      {readOnly ? null : (
        <div className="biz-actions" role="toolbar" aria-label="Draft">
          <button type="button" onClick={() => void saveDraft()} disabled={!canSave} title={why}>
            {busy === 'save' ? 'Saving…' : 'Save draft'}
          </button>
          <button type="button" onClick={() => setPreview(draft)} disabled={!!busy || hasBad || blocking.length > 0} title="Run the draft on the recorded events beside the live version">
            Preview
          </button>
          <button type="button" className="primary" onClick={() => void deploy()} disabled={!!busy || hasBad || blocking.length > 0} title={hasBad || blocking.length > 0 ? why : 'Save and deploy'}>
            {busy === 'deploy' ? 'Deploying…' : 'Deploy'}
          </button>
          <button type="button" onClick={discard} disabled={!!busy || (changes.length === 0 && !hasBad)}>
            Discard
          </button>
          {notice ? (
            <span className="biz-notice" role="status">
              {notice}
            </span>
          ) : null}
        </div>
      )}
      {errors.general.length > 0 ? (
        <div className="biz-problem error" role="alert" data-testid="biz-errors">
          {errors.general.map((g) => (
            <div key={g}>{g}</div>
          ))}
        </div>
      ) : null}

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
                const errs = [...(bad ? [bad.message] : []), ...paramErrors(name)];
                const live = deployed ? deployed.params[name] : undefined;
                const saved = loaded.doc.params?.[name]?.value;
                return (
                  <tr key={name} data-testid={`param-${name}`} className={errs.length > 0 ? 'biz-row-bad' : undefined}>
                    <td>
                      <label htmlFor={`biz-param-${name}`} className="biz-param-label">
                        {spec.label ?? name}
                      </label>
                      <div className="hint mono">{name}</div>
                      {spec.description ? <div className="hint">{spec.description}</div> : null}
                    </td>
                    <td>
                      <ParamInput name={name} spec={spec} invalid={bad !== undefined} readOnly={readOnly} onEdit={(text, v) => editParam(name, spec, text, v)} />
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

      {tables.map((node) => (
        <section key={node.id} className="biz-rules-section" aria-label={node.label ?? node.id}>
          <h2>{node.label ?? node.id}</h2>
          <RulesTableEditor
            config={node.config}
            mode="business"
            readOnly={readOnly}
            title={node.label ?? node.id}
            context={contextFor(node.id)}
            problems={[...(errors.tables[node.id] ?? []), ...(local.tables[node.id] ?? []).filter((p) => p.severity === 'error')]}
            onChange={(config) => setDraft((d) => (d ? setRulesConfig(d, node.id, config) : d))}
          />
        </section>
      ))}

      <section className="biz-changes" aria-label="Changes">
        <h2>Changes in this draft</h2>
        {changes.length === 0 ? (
          <p className="hint">No changes: the tables and values above are those of version {loaded.version}.</p>
        ) : (
          <ul data-testid="biz-changes">
            {changes.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines may repeat; the list is rebuilt whole
              <li key={i}>{c.text}</li>
            ))}
          </ul>
        )}
      </section>

      {preview && JSON.stringify(preview) !== JSON.stringify(draft) ? (
        <p className="biz-problem warning" data-testid="preview-stale">
          The draft has changed since this preview: press Preview again to see the changes as they are now.
        </p>
      ) : null}
      {preview ? <PreviewView pipelineId={pipelineId} document={preview} onClose={() => setPreview(undefined)} /> : null}
    </div>
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
function ParamInput({ name, spec, invalid, readOnly, onEdit }: { name: string; spec: ParamSpec; invalid: boolean; readOnly: boolean; onEdit: (text: string, v: ParamValue) => void }) {
  const id = `biz-param-${name}`;
  // The text stays as typed ("2400." is on its way to a number); a value from outside (Discard, a save) replaces it.
  const [shown, setShown] = useState(spec.value);
  const [text, setText] = useState(String(spec.value));
  if (shown !== spec.value) {
    setShown(spec.value);
    setText(String(spec.value));
  }
  if (spec.type === 'boolean') {
    return <input id={id} type="checkbox" checked={spec.value === true} disabled={readOnly} onChange={(e) => onEdit(String(e.target.checked), e.target.checked)} />;
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
