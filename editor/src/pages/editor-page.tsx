/** The canvas editor of one pipeline (`#/p/:id`), or of a new unsaved one (`#/new`). */
import { ReactFlowProvider } from '@xyflow/react';
import { ArrowLeft, Briefcase, Download, History, Keyboard, LayoutGrid, Redo2, Rocket, Save, Square, Undo2, Upload } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { mergeSchemas } from '@sluice/shared';
import { PreviewButton } from '../business/preview-button';
import { ApiError, api, type PipelineSummary, type Role } from '../api/client';
import { autoLayout } from '../canvas/auto-layout';
import { Canvas } from '../canvas/canvas';
import { countRender } from '../canvas/render-count';
import { Palette } from '../palette/palette';
import { DebugPanel } from '../panels/debug-panel';
import { DebuggerControls } from '../panels/debugger-controls';
import { DebuggerPanel } from '../panels/debugger-panel';
import { NodePanel } from '../panels/node-panel';
import { ProblemsPanel } from '../panels/problems-panel';
import { ShortcutSheet } from '../panels/shortcut-sheet';
import { SidePanel } from '../panels/side-panel';
import { TapPanel } from '../panels/tap-panel';
import { AlertRulesForm } from '../panels/alert-rules-form';
import { useDebugger } from '../stores/debugger-store';
import { useDocument } from '../stores/document-store';
import { useMetrics } from '../stores/metrics-store';
import { usePinned } from '../stores/pinned-store';
import { usePreviewRun } from '../stores/preview-run-store';
import { useUi } from '../stores/ui-store';
import { withSampleFields } from '../forms/sample-fields';
import { ImportErrors } from './import-errors';
import { detailLines } from './import-document';
import { canEditGraph } from './roles';
import { report } from './report';
import { formatRoute, navigate } from './route';
import { statusLabel } from './status-label';
import { useAutosave } from './use-autosave';
import { useCanvasClipboard } from './use-canvas-clipboard';
import { useCanvasKeys } from './use-canvas-keys';
import { useDeferredValidation } from './use-deferred-validation';
import { useDocumentImport } from './use-document-import';
import { markJustCreated, useLiveMetrics, usePipelineLoader } from './use-pipeline-loader';

export function EditorPage({ pipelineId, role }: { pipelineId: string | undefined; role: Role }) {
  countRender('editorPage');
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const [errors, setErrors] = useState<{ title: string; lines: string[] }>({ title: '', lines: [] });
  // Narrow selectors: the page re-renders for what it shows, not for every store change.
  const id = useDocument((s) => s.id);
  const doc = useDocument((s) => s.doc);
  const dirty = useDocument((s) => s.dirty);
  const status = useMetrics((s) => s.status);
  const selectedNode = useUi((s) => s.selectedNode);
  const selectedEdge = useUi((s) => s.selectedEdge);
  const message = useUi((s) => s.message);
  const editable = canEditGraph(role);
  const paletteOpen = useUi((s) => s.paletteOpen);
  const fileInput = useRef<HTMLInputElement>(null);

  const { validation, checking, runnable, invalidNodes } = useDeferredValidation(doc);

  const refresh = useCallback(() => api.list().then(setPipelines, report), []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const loadError = usePipelineLoader(pipelineId, editable);
  const pinned = usePinned((s) => s.pinned);
  // Another pipeline: its own samples, and no preview run of the last one.
  useEffect(() => {
    void usePinned.getState().load(id);
    usePreviewRun.getState().clear();
    // A debug session ends with its pipeline (also on leaving the page); breakpoints are per pipeline.
    useDebugger.getState().showing(id);
    return () => void useDebugger.getState().stop();
  }, [id]);
  const debugging = useDebugger((s) => s.session !== undefined || s.error !== undefined);
  useAutosave({ id, dirty, doc, editable });
  useLiveMetrics(id);
  const showErrors = useCallback((title: string, lines: string[]) => setErrors({ title, lines }), []);
  const importText = useDocumentImport(showErrors);
  useCanvasClipboard(importText);

  const save = async (): Promise<string | undefined> => {
    try {
      if (id) await api.save(id, doc);
      else {
        const created = await api.create(doc);
        useDebugger.getState().savedAs(created.pipeline.id);
        useDocument.setState({ id: created.pipeline.id });
        markJustCreated(created.pipeline.id);
        navigate({ page: 'editor', id: created.pipeline.id }, true);
      }
      useDocument.getState().markSaved(doc);
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
      // Not "Deployed" still, beside a stopped pipeline.
      useUi.getState().say('Stopped');
    } catch (err) {
      report(err);
    }
  };
  // The latest save for the keys (Ctrl+S) without re-binding them on every render.
  const saveRef = useRef(save);
  saveRef.current = save;
  const saveByKey = useCallback(() => void saveRef.current(), []);
  useCanvasKeys({ save: saveByKey, editable });
  const exportDoc = () => {
    const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${id ?? 'pipeline'}.json`;
    a.click();
  };

  // The selected node's input schema, for completions and checks; pinned samples name the fields an open source does not.
  const inputSchema = selectedNode
    ? withSampleFields(
        mergeSchemas(doc.edges.filter((e) => e.target === selectedNode).map((e) => validation.schemas?.[e.id])) ?? undefined,
        doc,
        selectedNode,
        pinned,
      )
    : undefined;

  return (
    <ReactFlowProvider>
      <div className="app">
        <header className="toolbar">
          <fieldset className="tb-group tb-pipeline" aria-label="Which pipeline">
            <a href="#/" className="button with-icon">
              <ArrowLeft size={15} aria-hidden="true" />
              <span className="sr-only">Back to </span>
              Pipelines
            </a>
            <select
              aria-label="Pipeline"
              value={id ?? pipelineId ?? ''}
              onChange={(e) => navigate(e.target.value ? { page: 'editor', id: e.target.value } : { page: 'new' })}
            >
              {editable ? <option value="">New pipeline</option> : null}
              {pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} {p.status === 'running' ? '(running)' : ''}
                </option>
              ))}
            </select>
            <input
              aria-label="Pipeline name"
              value={doc.name ?? ''}
              readOnly={!editable}
              onChange={(e) => useDocument.getState().change((d) => ({ ...d, name: e.target.value }))}
            />
          </fieldset>
          {editable ? (
            <fieldset className="tb-group" aria-label="Editing">
              <button
                type="button"
                onClick={() => useDocument.getState().undo()}
                aria-label="Undo"
                title="Undo (Ctrl+Z)"
                className="icon-button"
              >
                <Undo2 size={15} aria-hidden="true" />
              </button>
              <button
                type="button"
                onClick={() => useDocument.getState().redo()}
                aria-label="Redo"
                title="Redo (Ctrl+Y)"
                className="icon-button"
              >
                <Redo2 size={15} aria-hidden="true" />
              </button>
              <button
                type="button"
                className="icon-button"
                title="Lay the graph out left to right"
                onClick={() => useDocument.getState().change((d) => autoLayout(d))}
              >
                <LayoutGrid size={15} aria-hidden="true" />
                <span className="tb-label">Layout</span>
              </button>
            </fieldset>
          ) : (
            <span className="badge" data-testid="read-only">
              read-only
            </span>
          )}
          <fieldset className="tb-group" aria-label="Files">
            {editable ? (
              <button type="button" className="icon-button" onClick={() => void save()} title="Save a version (Ctrl+S)">
                <Save size={15} aria-hidden="true" />
                Save{dirty ? ' *' : ''}
              </button>
            ) : null}
            <button type="button" className="icon-button" title="Export the document as JSON" onClick={exportDoc}>
              <Download size={15} aria-hidden="true" />
              <span className="tb-label">Export</span>
            </button>
            {editable ? (
              <>
                <button type="button" className="icon-button" title="Import a JSON document" onClick={() => fileInput.current?.click()}>
                  <Upload size={15} aria-hidden="true" />
                  <span className="tb-label">Import</span>
                </button>
                <input
                  ref={fileInput}
                  type="file"
                  accept="application/json,.json"
                  hidden
                  onChange={(e) => void e.target.files?.[0]?.text().then((t) => importText(t, false))}
                />
              </>
            ) : null}
          </fieldset>
          <fieldset className="tb-group" aria-label="Running">
            {editable ? (
              <>
                <PreviewButton pipelineId={id} document={doc} disabled={!runnable} />
                <button
                  type="button"
                  className="primary icon-button"
                  onClick={() => void deploy()}
                  disabled={!runnable}
                  title={runnable ? 'Deploy' : checking ? 'Checking the pipeline' : 'Fix the problems first'}
                >
                  <Rocket size={15} aria-hidden="true" />
                  Deploy
                </button>
                <button type="button" className="icon-button" onClick={() => void stop()} disabled={status !== 'running'}>
                  <Square size={13} aria-hidden="true" />
                  Stop
                </button>
              </>
            ) : null}
            <span className={`status status-${status}`} data-testid="status">
              {statusLabel(status)}
            </span>
          </fieldset>
          {editable ? <DebuggerControls pipelineId={id} runnable={runnable} /> : null}
          <fieldset className="tb-group" aria-label="Other views">
            {id ? (
              <a href={formatRoute({ page: 'history', id })} className="button with-icon" title="History: versions, changes, rollback">
                <History size={15} aria-hidden="true" />
                <span className="tb-label">History</span>
              </a>
            ) : null}
            {id && editable ? (
              <a href={formatRoute({ page: 'business', id })} className="button with-icon" title="Business view">
                <Briefcase size={15} aria-hidden="true" />
                <span className="tb-label">Business view</span>
              </a>
            ) : null}
            <button
              type="button"
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
              className="icon-button"
              onClick={() => useUi.getState().setPanels({ shortcutsOpen: true })}
            >
              <Keyboard size={16} aria-hidden="true" />
            </button>
          </fieldset>
          {message ? (
            <span className={`message ${message.kind}`} title={message.text}>
              {message.text}
            </span>
          ) : null}
        </header>
        <main
          className={`main${editable ? '' : ' read-only'}${paletteOpen ? '' : ' palette-collapsed'}`}
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
          {debugging ? (
            <SidePanel>
              <div className="debugger-side">
                <DebuggerPanel />
                {selectedNode ? (
                  <fieldset className="plain" disabled={!editable}>
                    <NodePanel nodeId={selectedNode} inputSchema={inputSchema} canCheck={editable} diagnostics={validation.diagnostics} />
                  </fieldset>
                ) : null}
              </div>
            </SidePanel>
          ) : null}
          {!debugging && selectedNode ? (
            <SidePanel>
              <fieldset className="plain" disabled={!editable}>
                <NodePanel nodeId={selectedNode} inputSchema={inputSchema} canCheck={editable} diagnostics={validation.diagnostics} />
              </fieldset>
            </SidePanel>
          ) : null}
          {!debugging && !selectedNode && selectedEdge && doc.edges.some((e) => e.id === selectedEdge) ? (
            <SidePanel>
              <div className="side-stack">
                {id && status === 'running' ? <TapPanel pipelineId={id} edgeId={selectedEdge} /> : null}
                <aside className="panel" aria-label={`Edge ${selectedEdge}`}>
                  <fieldset className="plain" disabled={!editable}>
                    <AlertRulesForm
                      watch={{ edge: selectedEdge }}
                      diagnostics={validation.diagnostics}
                      schema={validation.schemas?.[selectedEdge]}
                    />
                  </fieldset>
                </aside>
              </div>
            </SidePanel>
          ) : null}
        </main>
        <ShortcutSheet />
        <footer>
          {loadError ? (
            <p className="message error" role="alert">
              {loadError} <a href="#/">Back to the pipelines</a>
            </p>
          ) : null}
          <ImportErrors title={errors.title} lines={errors.lines} onClose={() => setErrors({ title: '', lines: [] })} />
          <DebugPanel pipelineId={id} canRun={editable} />
          <div className="problems-area">
            <ProblemsPanel diagnostics={validation.diagnostics} />
          </div>
        </footer>
      </div>
    </ReactFlowProvider>
  );
}
