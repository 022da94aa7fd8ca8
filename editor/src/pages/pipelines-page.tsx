/**
 * Every pipeline (`#/`): open, new, rename, duplicate, delete, and import from a file picked,
 * a .json file dropped, or a document pasted anywhere on the page.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PipelineDocument } from '@sluice/shared';
import { ApiError, api, type PipelineSummary, type Role } from '../api/client';
import { useUi } from '../stores/ui-store';
import { ImportErrors } from './import-errors';
import { detailLines, freeId, readDocumentText, slugId } from './import-document';
import { canEditGraph, openRouteFor } from './roles';
import { report, shortTime } from './report';
import { formatRoute, navigate } from './route';
import { statusLabel } from './status-label';

export function PipelinesPage({ role }: { role: Role }) {
  const [list, setList] = useState<PipelineSummary[] | undefined>(undefined);
  const [errors, setErrors] = useState<string[]>([]);
  const editable = canEditGraph(role);

  const refresh = useCallback(() => api.list().then(setList, report), []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const taken = () => (list ?? []).map((p) => p.id);
  const fileInput = useRef<HTMLInputElement>(null);

  /** Create a pipeline; a 422 lists what the server refused. */
  const create = useCallback(async (doc: PipelineDocument): Promise<string | undefined> => {
    try {
      const r = await api.create(doc);
      return r.pipeline.id;
    } catch (err) {
      if (err instanceof ApiError && err.body.error.details?.length) setErrors([err.message, ...detailLines(err.body.error.details)]);
      else report(err);
      return undefined;
    }
  }, []);

  const importText = useCallback(
    async (text: string) => {
      if (!editable) return useUi.getState().say('Your role cannot import pipelines', 'error');
      const r = readDocumentText(text);
      if (!r.ok) return setErrors(r.errors);
      setErrors([]);
      const ids = (await api.list().catch(() => [] as PipelineSummary[])).map((p) => p.id);
      const wanted =
        r.document.id && /^[a-z0-9][a-z0-9-]{0,63}$/.test(r.document.id) ? r.document.id : slugId(r.document.name ?? 'pipeline');
      const id = freeId(wanted, ids);
      // A second import of the same document is told apart in the list by its name too: "Orders (2)".
      const n = id === wanted ? undefined : id.slice(wanted.length + 1);
      const name = r.document.name ?? wanted;
      const created = await create({ ...r.document, id, ...(n ? { name: `${name} (${n})` } : {}) });
      if (!created) return;
      await refresh();
      const tail = r.problems.length > 0 ? ` as a draft with ${r.problems.length} problem(s)` : '';
      useUi.getState().say(`Imported "${r.document.name ?? created}" as ${created}${tail}`);
    },
    [editable, create, refresh],
  );

  // A document pasted anywhere on the page (outside a text field) imports.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      e.preventDefault();
      void importText(text);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [importText]);

  const newPipeline = async (typed: string) => {
    const name = typed.trim();
    if (!name) return;
    const id = await create({ format: 'sluice/v1', id: freeId(slugId(name), taken()), name, nodes: [], edges: [] });
    if (id) navigate({ page: 'editor', id });
  };
  const rename = async (p: PipelineSummary) => {
    const name = window.prompt(`New name for "${p.name}"`, p.name)?.trim();
    if (!name || name === p.name) return;
    try {
      const { pipeline } = await api.get(p.id);
      await api.save(p.id, { ...pipeline.document, name }, `renamed from "${p.name}"`);
      await refresh();
      useUi.getState().say(`Renamed to "${name}"`);
    } catch (err) {
      report(err);
    }
  };
  const duplicate = async (p: PipelineSummary) => {
    try {
      const { pipeline } = await api.get(p.id);
      const id = await create({ ...pipeline.document, id: freeId(`${p.id}-copy`, taken()), name: `${p.name} (copy)` });
      if (!id) return;
      await refresh();
      useUi.getState().say(`Duplicated as ${id}`);
    } catch (err) {
      report(err);
    }
  };
  const remove = async (p: PipelineSummary) => {
    if (!window.confirm(`Delete pipeline "${p.name}" (${p.id})? It stops if running, and its versions go too.`)) return;
    try {
      await api.remove(p.id);
      await refresh();
      useUi.getState().say(`Deleted "${p.name}"`);
    } catch (err) {
      report(err);
    }
  };

  return (
    <main
      className="page pipelines-page"
      data-testid="pipelines-page"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        const file = e.dataTransfer.files?.[0];
        if (!file) return;
        e.preventDefault();
        if (!file.name.endsWith('.json')) return setErrors([`${file.name}: only .json pipeline documents import`]);
        void file.text().then(importText);
      }}
    >
      <div className="page-head">
        <h1>Pipelines</h1>
        {editable ? (
          <>
            <NewPipelineButton onCreate={(name) => void newPipeline(name)} />
            <button type="button" onClick={() => fileInput.current?.click()}>
              Import…
            </button>
            <input
              ref={fileInput}
              type="file"
              accept="application/json,.json"
              hidden
              data-testid="import-file"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void f.text().then(importText);
              }}
            />
            <span className="hint">or drop a .json file here, or paste a document (Ctrl/Cmd+V) anywhere on this page</span>
          </>
        ) : null}
      </div>
      <ImportErrors title="Not imported:" lines={errors} onClose={() => setErrors([])} />
      {list === undefined ? (
        <p className="hint">Loading…</p>
      ) : list.length === 0 ? (
        <p className="empty">No pipelines yet.{editable ? ' Make a new one or import a document.' : ''}</p>
      ) : (
        <table className="grid-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Description</th>
              <th>Nodes</th>
              <th>Status</th>
              <th>Last change</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id} data-testid={`pipeline-${p.id}`}>
                <td>
                  <a href={formatRoute(openRouteFor(role, p.id))} className="pipeline-name">
                    {p.name}
                  </a>
                  <div className="hint mono">{p.id}</div>
                </td>
                <td className="description">{p.description ?? ''}</td>
                <td className="num">{p.nodes ?? ''}</td>
                <td>
                  <span className={`status status-${p.status}`}>{statusLabel(p.status)}</span>
                </td>
                <td>
                  {shortTime(p.updatedAt)} <span className="hint">v{p.version}</span>
                </td>
                <td className="actions">
                  <a href={formatRoute(openRouteFor(role, p.id))} className="button">
                    Open
                  </a>
                  <a href={formatRoute({ page: 'history', id: p.id })} className="button">
                    History
                  </a>
                  {editable ? (
                    <>
                      <button type="button" onClick={() => void rename(p)}>
                        Rename
                      </button>
                      <button type="button" onClick={() => void duplicate(p)}>
                        Duplicate
                      </button>
                      <button type="button" className="danger" onClick={() => void remove(p)}>
                        Delete
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

/** "New pipeline": a name field in place (not the browser's prompt), Enter creates, Escape cancels. */
function NewPipelineButton({ onCreate }: { onCreate: (name: string) => void }) {
  const [asking, setAsking] = useState(false);
  const [name, setName] = useState('Untitled pipeline');
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (asking) field.current?.select();
  }, [asking]);
  if (!asking)
    return (
      <button type="button" className="primary" onClick={() => setAsking(true)}>
        New pipeline
      </button>
    );
  return (
    <form
      className="new-pipeline"
      aria-label="New pipeline"
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) return;
        setAsking(false);
        onCreate(name);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setAsking(false);
      }}
    >
      <input ref={field} aria-label="Name of the new pipeline" value={name} onChange={(e) => setName(e.target.value)} required />
      <button type="submit" className="primary" disabled={!name.trim()}>
        Create
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </form>
  );
}
