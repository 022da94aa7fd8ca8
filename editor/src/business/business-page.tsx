/**
 * The business users' page of a pipeline (`#/p/:id/business`): no graph, only what they may
 * change — the exposed params (label, unit, bounds; live value beside the draft) and the exposed
 * rule tables — the change list in words, and Save draft / Preview / Deploy / Discard. Viewers
 * read it. A refused call's reasons show beside the field or row they name.
 */
import { type CheckContext, type EventSchema, mergeSchemas, type ParamType, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { useCallback, useEffect, useMemo, useReducer } from 'react';
import { ApiError, api } from '../api/client';
import { canEditGraph } from '../pages/roles';
import { formatRoute } from '../pages/route';
import { ParamsSection } from './business-params';
import { businessPageReducer, INITIAL_STATE, type Loaded } from './business-page-state';
import { applyDraft, draftChanges, exposedParams, exposedRuleNodes } from './draft';
import { NO_ERRORS, placeDiagnostics, placeErrors } from './place-errors';
import { PreviewView } from './preview-view';
import { RulesTableEditor } from './rules-table-editor';
import { statusLabel } from '../pages/status-label';

export function BusinessPage({ pipelineId, role }: { pipelineId: string; role: string }) {
  const [state, dispatch] = useReducer(businessPageReducer, INITIAL_STATE);
  const { loaded, draft, loadError, errors, badParams, busy, notice, preview } = state;
  const readOnly = role === 'viewer';

  const load = useCallback(async () => {
    try {
      const [r, s] = await Promise.all([api.get(pipelineId), api.status(pipelineId).catch(() => undefined)]);
      const deployment = (s as { deployment?: Loaded['deployment'] } | undefined)?.deployment;
      dispatch({ type: 'loaded', loaded: { doc: r.pipeline.document, version: r.pipeline.version, status: r.status, deployment } });
    } catch (err) {
      dispatch({ type: 'load-failed', message: err instanceof ApiError ? err.message : String(err) });
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
    const schema: EventSchema | undefined =
      mergeSchemas(draft.edges.filter((e) => e.target === nodeId).map((e) => validation.schemas?.[e.id])) ?? undefined;
    return schema ? { params: paramTypes, schema } : { params: paramTypes };
  };
  const params = exposedParams(draft);
  const tables = exposedRuleNodes(draft);
  // Only the errors in what this page edits block it: an engineer's broken node elsewhere is not hers to fix.
  const editable = new Set(tables.map((n) => n.id));
  const blocking = validation.diagnostics.filter(
    (d) =>
      d.severity === 'error' && ((d.nodeId && editable.has(d.nodeId)) || params.some(([name]) => d.path?.startsWith(`params.${name}`))),
  );
  const local = placeDiagnostics(blocking);
  const hasBad = Object.keys(badParams).length > 0;
  const canSave = !readOnly && !busy && changes.length > 0 && !hasBad && blocking.length === 0;
  const why = hasBad
    ? 'Fix the values marked in red first'
    : blocking.length > 0
      ? 'Fix the problems marked in the tables first'
      : changes.length === 0
        ? 'No changes yet'
        : undefined;

  /** PUT only this page's changes (laid onto the latest stored version); the new base on success. */
  const save = async (): Promise<boolean> => {
    if (changes.length === 0) return true;
    const latest = await api.get(pipelineId);
    const { document, conflicts } = applyDraft(latest.pipeline.document, loaded.doc, draft);
    if (conflicts.length > 0) {
      dispatch({
        type: 'errors',
        errors: { ...NO_ERRORS, general: [...conflicts.map((c) => `Not saved: ${c}.`), 'Discard to start again from the latest version.'] },
      });
      return false;
    }
    const note = changes
      .map((c) => c.text)
      .join('; ')
      .slice(0, 500);
    const r = await api.save(pipelineId, document, note);
    dispatch({ type: 'saved', doc: r.pipeline.document, version: r.pipeline.version });
    // The server stores an invalid draft too; say why it could not run, beside what it names.
    const invalid = (r.diagnostics ?? []).filter((d) => d.severity === 'error');
    if (r.valid === false && invalid.length > 0) {
      dispatch({ type: 'errors', errors: placeDiagnostics(invalid, 'Saved, but this version cannot be deployed as it is:') });
      return false;
    }
    return true;
  };
  const act = async (name: string, f: () => Promise<string | undefined>) => {
    dispatch({ type: 'action-started', name });
    try {
      const done = await f();
      if (done) dispatch({ type: 'action-said', notice: done });
    } catch (err) {
      dispatch({ type: 'errors', errors: placeErrors(err) });
    } finally {
      dispatch({ type: 'action-ended' });
    }
  };
  const saveDraft = () => act('save', async () => ((await save()) ? 'Draft saved (not deployed yet).' : undefined));
  const deploy = () =>
    act('deploy', async () => {
      if (!(await save())) return undefined;
      await api.deploy(pipelineId);
      const s = (await api.status(pipelineId)) as { status: string; deployment?: Loaded['deployment'] };
      dispatch({ type: 'deployed', status: s.status, deployment: s.deployment });
      return 'Deployed.';
    });
  const discard = () => {
    dispatch({ type: 'discarded' });
    void load();
  };

  const deployed = loaded.deployment;
  const paramErrors = (name: string) => [...(errors.params[name] ?? []), ...(local.params[name] ?? [])];
  return (
    <div className="page biz-page" data-testid="business-page">
      <div className="page-head">
        <h1>{draft.name ?? pipelineId}</h1>
        <span className={`status status-${loaded.status}`} data-testid="biz-status">
          {statusLabel(loaded.status)}
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
          <button
            type="button"
            onClick={() => dispatch({ type: 'preview', document: draft })}
            disabled={!!busy || hasBad || blocking.length > 0}
            title="Run the draft beside the live version on the recorded events (or pinned samples, or a generator's own); nothing is deployed"
          >
            Preview
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => void deploy()}
            disabled={!!busy || hasBad || blocking.length > 0}
            title={hasBad || blocking.length > 0 ? why : 'Save and deploy'}
          >
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

      <ParamsSection
        params={params}
        loaded={loaded}
        badParams={badParams}
        errorsOf={paramErrors}
        readOnly={readOnly}
        onEdit={(name, spec, text, value) => dispatch({ type: 'param-typed', name, spec, text, value })}
      />

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
            onChange={(config) => dispatch({ type: 'rules-edited', nodeId: node.id, config })}
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
      {preview ? (
        <PreviewView
          pipelineId={pipelineId}
          document={preview}
          canSaveCase={canEditGraph(role)}
          onClose={() => dispatch({ type: 'preview', document: undefined })}
        />
      ) : null}
    </div>
  );
}
