/** The canvas editor of one pipeline (`#/p/:id`), or of a new unsaved one (`#/new`). */
import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { mergeSchemas, type PipelineDocument, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { PreviewButton } from '../business/preview-button';
import { ApiError, api, type PipelineSummary, type Role, subscribeMetrics } from '../api/client';
import { autoLayout } from '../canvas/auto-layout';
import { Canvas } from '../canvas/canvas';
import { countRender } from '../canvas/render-count';
import { Palette } from '../palette/palette';
import { NodePanel } from '../panels/node-panel';
import { ProblemsPanel } from '../panels/problems-panel';
import { TapPanel } from '../panels/tap-panel';
import { type Clipboard, useDocument } from '../stores/document-store';
import { useMetrics } from '../stores/metrics-store';
import { useUi } from '../stores/ui-store';
import { ImportErrors } from './import-errors';
import { detailLines, looksLikeDocument, NODES_CLIP, readDocumentText } from './import-document';
import { canEditGraph } from './roles';
import { report } from './report';
import { formatRoute, navigate } from './route';

const EMPTY: PipelineDocument = { format: 'sluice/v1', name: 'Untitled pipeline', nodes: [], edges: [] };

function sameExceptPositions(a: PipelineDocument, b: PipelineDocument): boolean {
  if (a.edges !== b.edges || a.params !== b.params || a.name !== b.name || a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return n.id === m.id && n.type === m.type && n.config === m.config && n.label === m.label;
  });
}

const isTyping = (t: EventTarget | null) => {
  const el = t as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
};

/**
 * The pipeline the address names when the app starts, asked for beside `/api/me` instead of after
 * it: one round trip less before a big graph can render. Used once; a failed one is asked again.
 */
let prefetched: { id: string; reply: ReturnType<typeof api.get> } | undefined;
export function prefetchPipeline(id: string): void {
  prefetched = { id, reply: api.get(id) };
  prefetched.reply.catch(() => undefined);
}
function takePrefetched(id: string): ReturnType<typeof api.get> {
  const early = prefetched?.id === id ? prefetched.reply : undefined;
  prefetched = undefined;
  return early ? early.catch(() => api.get(id)) : api.get(id);
}

/** A pipeline created from `#/new` moves to `#/p/:id` without reloading what is on the canvas. */
let justCreated: string | undefined;

export function EditorPage({ pipelineId, role }: { pipelineId: string | undefined; role: Role }) {
  countRender('editorPage');
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const [errors, setErrors] = useState<{ title: string; lines: string[] }>({ title: '', lines: [] });
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  // Narrow selectors: the page re-renders for what it shows, not for every store change.
  const id = useDocument((s) => s.id);
  const doc = useDocument((s) => s.doc);
  const dirty = useDocument((s) => s.dirty);
  const status = useMetrics((s) => s.status);
  const selectedNode = useUi((s) => s.selectedNode);
  const selectedEdge = useUi((s) => s.selectedEdge);
  const message = useUi((s) => s.message);
  const editable = canEditGraph(role);

  // Validation follows the document in a deferred render: the canvas of a big graph is painted
  // before its first (cold, slowest) validation, and typing is not held up by it. Deploy waits for it.
  const checkedDoc = useDeferredValue(doc);
  const checking = checkedDoc !== doc && !sameExceptPositions(checkedDoc, doc);
  // Positions never change what runs: a drag reuses the last validation instead of re-running it.
  const validated = useRef<{ doc: PipelineDocument; result: ReturnType<typeof validateDocument> } | undefined>(undefined);
  const validation = useMemo(() => {
    const last = validated.current;
    if (last && sameExceptPositions(last.doc, checkedDoc)) return last.result;
    const result = validateDocument(checkedDoc, nodeDefinitions);
    validated.current = { doc: checkedDoc, result };
    return result;
  }, [checkedDoc]);
  const runnable = validation.ok && !checking;
  const invalidKey = validation.diagnostics
    .filter((d) => d.severity === 'error' && d.nodeId)
    .map((d) => d.nodeId)
    .join('\u0000');
  // A new Set only when the invalid ids change: a drag must not re-render every node.
  const invalidNodes = useMemo(() => new Set(invalidKey ? invalidKey.split('\u0000') : []), [invalidKey]);

  const refresh = useCallback(() => api.list().then(setPipelines, report), []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Read-only before anything loads, so nothing can slip in between.
  useEffect(() => {
    useDocument.getState().setReadOnly(!editable);
    return () => useDocument.getState().setReadOnly(false);
  }, [editable]);

  // Load what the address names (a fresh empty document for #/new).
  useEffect(() => {
    let cancelled = false;
    setLoadError(undefined);
    if (pipelineId && justCreated === pipelineId && useDocument.getState().id === pipelineId) {
      justCreated = undefined;
      return;
    }
    useUi.getState().select(undefined);
    useMetrics.getState().reset();
    if (!pipelineId) {
      useDocument.getState().load(undefined, EMPTY);
      return;
    }
    takePrefetched(pipelineId).then(
      (r) => {
        if (cancelled) return;
        useDocument.getState().load(pipelineId, r.pipeline.document);
        useMetrics.getState().push(r.status, undefined);
      },
      (err) => {
        if (cancelled) return;
        useDocument.getState().load(undefined, EMPTY);
        setLoadError(err instanceof ApiError ? err.message : String(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [pipelineId]);

  // Autosave: a stored pipeline saves itself 1.5 s after the last change (each change restarts the wait).
  // biome-ignore lint/correctness/useExhaustiveDependencies: doc is the trigger, read fresh inside
  useEffect(() => {
    if (!id || !dirty || !editable) return;
    const t = setTimeout(() => {
      void api.save(id, useDocument.getState().doc).then(() => useDocument.getState().markSaved(), report);
    }, 1500);
    return () => clearTimeout(t);
  }, [id, dirty, doc, editable]);

  // Leaving a pipeline (another page, another pipeline) saves what the autosave had not yet.
  useEffect(() => {
    if (!id) return;
    return () => {
      const s = useDocument.getState();
      if (s.id === id && s.dirty && !s.readOnly) void api.save(id, s.doc).then(() => useDocument.getState().markSaved(), report);
    };
  }, [id]);

  // While a stored pipeline is open, follow its live metrics (the stream survives redeploys).
  useEffect(() => {
    if (!id) return;
    return subscribeMetrics(id, (m) => {
      // After a run ends the stream reports "not-deployed" without numbers: keep the last ones.
      if (m.metrics || m.status !== 'not-deployed' || !useMetrics.getState().latest) useMetrics.getState().push(m.status, m.metrics);
    });
  }, [id]);

  /** Put an imported document on the canvas: a stored pipeline gets it as one undoable change (then autosaves). */
  const replaceWith = useCallback((imported: PipelineDocument, problems: string[]) => {
    const s = useDocument.getState();
    if (s.readOnly) return useUi.getState().say('This pipeline is read-only for you: nothing was imported', 'error');
    if (s.id) s.change(() => ({ ...imported, id: s.id }) as PipelineDocument);
    else {
      s.load(undefined, { ...imported, id: undefined } as PipelineDocument);
      s.change((d) => d);
    }
    useUi.getState().select(undefined);
    setErrors({ title: '', lines: [] });
    useUi.getState().say(problems.length > 0 ? `Imported as a draft with ${problems.length} problem(s): see the problems below` : 'Imported');
  }, []);
  const importText = useCallback(
    (text: string, ask: boolean) => {
      if (useDocument.getState().readOnly) return useUi.getState().say('This pipeline is read-only for you: nothing was imported', 'error');
      const r = readDocumentText(text);
      if (!r.ok) return setErrors({ title: 'Not imported:', lines: r.errors });
      const name = useDocument.getState().doc.name ?? 'this pipeline';
      if (ask && !window.confirm(`Replace "${name}" with the pasted document "${r.document.name ?? 'untitled'}"? Undo brings it back.`)) return;
      replaceWith(r.document, r.problems);
    },
    [replaceWith],
  );

  // Undo/redo on the keyboard; copy and paste nodes; a pasted document imports; warn before leaving with unsaved changes.
  useEffect(() => {
    let clipboard: Clipboard | undefined;
    let pendingPaste = false;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      const docs = useDocument.getState();
      if (key === 'z') {
        e.preventDefault();
        if (e.shiftKey) docs.redo();
        else docs.undo();
      } else if (key === 'c' && useUi.getState().selection.length > 0) {
        clipboard = docs.copy(useUi.getState().selection);
      } else if (key === 'v' && clipboard) {
        // The paste event (next, in the same task) decides; without one, paste the copied nodes.
        pendingPaste = true;
        const clip = clipboard;
        setTimeout(() => {
          if (pendingPaste) useUi.getState().setSelection(useDocument.getState().paste(clip));
          pendingPaste = false;
        }, 0);
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      const sel = useUi.getState().selection;
      if (isTyping(e.target) || sel.length === 0 || !window.getSelection()?.isCollapsed) return;
      clipboard = useDocument.getState().copy(sel);
      e.clipboardData?.setData('text/plain', JSON.stringify({ [NODES_CLIP]: clipboard }));
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e.target)) return;
      pendingPaste = false;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      if (looksLikeDocument(text)) {
        e.preventDefault();
        importText(text, true);
        return;
      }
      let clip = clipboard;
      try {
        const parsed = JSON.parse(text) as Record<string, Clipboard | undefined>;
        if (parsed?.[NODES_CLIP]?.nodes) clip = parsed[NODES_CLIP];
      } catch {
        // Not copied nodes: the last copy in this tab, if any.
      }
      if (clip) {
        e.preventDefault();
        useUi.getState().setSelection(useDocument.getState().paste(clip));
      }
    };
    const onLeave = (e: BeforeUnloadEvent) => {
      if (useDocument.getState().dirty) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('copy', onCopy);
    window.addEventListener('paste', onPaste);
    window.addEventListener('beforeunload', onLeave);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('copy', onCopy);
      window.removeEventListener('paste', onPaste);
      window.removeEventListener('beforeunload', onLeave);
    };
  }, [importText]);

  const save = async (): Promise<string | undefined> => {
    try {
      if (id) await api.save(id, doc);
      else {
        const created = await api.create(doc);
        useDocument.setState({ id: created.pipeline.id });
        justCreated = created.pipeline.id;
        navigate({ page: 'editor', id: created.pipeline.id }, true);
      }
      useDocument.getState().markSaved();
      await refresh();
      useUi.getState().say('Saved');
      return useDocument.getState().id;
    } catch (err) {
      if (err instanceof ApiError && err.body.error.details) setErrors({ title: 'Not saved:', lines: detailLines(err.body.error.details) });
      report(err);
      return undefined;
    }
  };
  const deploy = async () => {
    const pid = await save();
    if (!pid) return;
    try {
      const r = await api.deploy(pid);
      useMetrics.getState().reset();
      useMetrics.getState().push(r.status, undefined);
      useUi.getState().say('Deployed');
    } catch (err) {
      report(err);
    }
  };
  const stop = async () => {
    if (!id) return;
    try {
      const r = await api.stop(id);
      useMetrics.getState().push(r.status, useMetrics.getState().latest);
    } catch (err) {
      report(err);
    }
  };
  const exportDoc = () => {
    const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${id ?? 'pipeline'}.json`;
    a.click();
  };

  // The selected node's input schema, for completions and checks.
  const inputSchema = selectedNode
    ? mergeSchemas(doc.edges.filter((e) => e.target === selectedNode).map((e) => validation.schemas?.[e.id])) ?? undefined
    : undefined;

  return (
    <ReactFlowProvider>
      <div className="app">
        <header className="toolbar">
          <a href="#/" className="button">
            ← Pipelines
          </a>
          <select aria-label="Pipeline" value={id ?? pipelineId ?? ''} onChange={(e) => navigate(e.target.value ? { page: 'editor', id: e.target.value } : { page: 'new' })}>
            {editable ? <option value="">New pipeline</option> : null}
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} {p.status === 'running' ? '(running)' : ''}
              </option>
            ))}
          </select>
          <input aria-label="Pipeline name" value={doc.name ?? ''} readOnly={!editable} onChange={(e) => useDocument.getState().change((d) => ({ ...d, name: e.target.value }))} />
          {editable ? (
            <>
              <button type="button" onClick={() => useDocument.getState().undo()} aria-label="Undo">
                Undo
              </button>
              <button type="button" onClick={() => useDocument.getState().redo()} aria-label="Redo">
                Redo
              </button>
              <button type="button" onClick={() => void save()}>
                Save{dirty ? ' *' : ''}
              </button>
              <button type="button" onClick={() => useDocument.getState().change((d) => autoLayout(d))}>
                Layout
              </button>
            </>
          ) : (
            <span className="badge" data-testid="read-only">
              read-only
            </span>
          )}
          <button type="button" onClick={exportDoc}>
            Export
          </button>
          {editable ? (
            <>
              <label className="button">
                Import
                <input type="file" accept="application/json,.json" hidden onChange={(e) => void e.target.files?.[0]?.text().then((t) => importText(t, false))} />
              </label>
              <PreviewButton pipelineId={id} document={doc} disabled={!runnable} />
              <button type="button" className="primary" onClick={() => void deploy()} disabled={!runnable} title={runnable ? 'Deploy' : checking ? 'Checking the pipeline' : 'Fix the problems first'}>
                Deploy
              </button>
              <button type="button" onClick={() => void stop()} disabled={status !== 'running'}>
                Stop
              </button>
            </>
          ) : null}
          <span className={`status status-${status}`} data-testid="status">
            {status}
          </span>
          {id ? (
            <a href={formatRoute({ page: 'history', id })} className="button">
              History
            </a>
          ) : null}
          {id && editable ? (
            <a href={formatRoute({ page: 'business', id })} className="button">
              Business view
            </a>
          ) : null}
          {message ? <span className={`message ${message.kind}`}>{message.text}</span> : null}
        </header>
        <main
          className={`main${editable ? '' : ' read-only'}`}
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            // A .json file dropped anywhere imports it (node drags from the palette carry no files).
            const file = e.dataTransfer.files?.[0];
            if (file?.name.endsWith('.json') && editable) {
              e.preventDefault();
              void file.text().then((t) => importText(t, false));
            }
          }}
        >
          {editable ? <Palette /> : null}
          <Canvas invalidNodes={invalidNodes} />
          {selectedNode ? (
            <fieldset className="plain" disabled={!editable}>
              <NodePanel nodeId={selectedNode} inputSchema={inputSchema} canCheck={editable} />
            </fieldset>
          ) : null}
          {!selectedNode && selectedEdge && id && status === 'running' ? <TapPanel pipelineId={id} edgeId={selectedEdge} /> : null}
        </main>
        <footer>
          {loadError ? (
            <p className="message error" role="alert">
              {loadError} <a href="#/">Back to the pipelines</a>
            </p>
          ) : null}
          <ImportErrors title={errors.title} lines={errors.lines} onClose={() => setErrors({ title: '', lines: [] })} />
          <ProblemsPanel diagnostics={validation.diagnostics} />
        </footer>
      </div>
    </ReactFlowProvider>
  );
}
