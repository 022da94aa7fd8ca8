/** The editor shell: toolbar, palette, canvas, side panel, problems. */
import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { mergeSchemas, type PipelineDocument, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { ApiError, api, type PipelineSummary, subscribeMetrics } from './api/client';
import { autoLayout } from './canvas/auto-layout';
import { Canvas } from './canvas/canvas';
import { Palette } from './palette/palette';
import { NodePanel } from './panels/node-panel';
import { ProblemsPanel } from './panels/problems-panel';
import { TapPanel } from './panels/tap-panel';
import { type Clipboard, useDocument } from './stores/document-store';
import { useMetrics } from './stores/metrics-store';
import { useUi } from './stores/ui-store';

function sameExceptPositions(a: PipelineDocument, b: PipelineDocument): boolean {
  if (a.edges !== b.edges || a.params !== b.params || a.name !== b.name || a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return n.id === m.id && n.type === m.type && n.config === m.config && n.label === m.label;
  });
}

const report = (err: unknown) => useUi.getState().say(err instanceof ApiError ? err.message : String(err), 'error');

export function App() {
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const { id, doc, dirty } = useDocument();
  const status = useMetrics((s) => s.status);
  const { selectedNode, selectedEdge, message } = useUi();
  // Positions never change what runs: a drag reuses the last validation instead of re-running it.
  const validated = useRef<{ doc: PipelineDocument; result: ReturnType<typeof validateDocument> } | undefined>(undefined);
  const validation = useMemo(() => {
    const last = validated.current;
    if (last && sameExceptPositions(last.doc, doc)) return last.result;
    const result = validateDocument(doc, nodeDefinitions);
    validated.current = { doc, result };
    return result;
  }, [doc]);
  const invalidKey = validation.diagnostics
    .filter((d) => d.severity === 'error' && d.nodeId)
    .map((d) => d.nodeId)
    .join('\u0000');
  // A new Set only when the invalid ids change: a drag must not re-render every node.
  const invalidNodes = useMemo(() => new Set(invalidKey ? invalidKey.split('\u0000') : []), [invalidKey]);

  const refresh = useCallback(() => api.list().then(setPipelines), []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const open = async (pid: string) => {
    const r = await api.get(pid);
    useDocument.getState().load(pid, r.pipeline.document);
    useMetrics.getState().reset();
    useMetrics.getState().push(r.status, undefined);
    useUi.getState().select(undefined);
  };

  // Autosave: a stored pipeline saves itself 1.5 s after the last change (each change restarts the wait).
  // biome-ignore lint/correctness/useExhaustiveDependencies: doc is the trigger, read fresh inside
  useEffect(() => {
    if (!id || !dirty) return;
    const t = setTimeout(() => {
      void api.save(id, useDocument.getState().doc).then(() => useDocument.getState().markSaved(), report);
    }, 1500);
    return () => clearTimeout(t);
  }, [id, dirty, doc]);

  // While a stored pipeline is open, follow its live metrics (the stream survives redeploys).
  useEffect(() => {
    if (!id) return;
    return subscribeMetrics(id, (m) => {
      // After a run ends the stream reports "not-deployed" without numbers: keep the last ones.
      if (m.metrics || m.status !== 'not-deployed' || !useMetrics.getState().latest) useMetrics.getState().push(m.status, m.metrics);
    });
  }, [id]);

  // Undo/redo on the keyboard; warn before leaving with unsaved changes.
  useEffect(() => {
    let clipboard: Clipboard | undefined;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      if ((e.target as HTMLElement).tagName === 'INPUT' || (e.target as HTMLElement).tagName === 'TEXTAREA') return;
      const key = e.key.toLowerCase();
      const docs = useDocument.getState();
      if (key === 'z') {
        e.preventDefault();
        if (e.shiftKey) docs.redo();
        else docs.undo();
      } else if (key === 'c') {
        clipboard = docs.copy(useUi.getState().selection);
      } else if (key === 'v' && clipboard) {
        e.preventDefault();
        useUi.getState().setSelection(docs.paste(clipboard));
      }
    };
    const onLeave = (e: BeforeUnloadEvent) => {
      if (useDocument.getState().dirty) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('beforeunload', onLeave);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', onLeave);
    };
  }, []);

  const save = async (): Promise<string | undefined> => {
    try {
      if (id) await api.save(id, doc);
      else {
        const created = await api.create(doc);
        useDocument.setState({ id: created.pipeline.id });
      }
      useDocument.getState().markSaved();
      await refresh();
      useUi.getState().say('Saved');
      return useDocument.getState().id;
    } catch (err) {
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
  const duplicate = async () => {
    try {
      const copy = { ...doc, id: undefined, name: `${doc.name ?? 'Pipeline'} (copy)` } as PipelineDocument;
      const created = await api.create({ ...copy, id: `${id ?? 'pipeline'}-copy-${Date.now().toString(36).slice(-4)}` } as PipelineDocument);
      await refresh();
      await open(created.pipeline.id);
    } catch (err) {
      report(err);
    }
  };
  const remove = async () => {
    if (!id || !window.confirm(`Delete pipeline "${doc.name ?? id}"? Its versions go too.`)) return;
    try {
      await api.remove(id);
      useDocument.getState().load(undefined, { format: 'sluice/v1', name: 'Untitled pipeline', nodes: [], edges: [] });
      await refresh();
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
  const importText = (text: string) => {
    try {
      const parsed = JSON.parse(text) as PipelineDocument;
      useDocument.getState().load(undefined, { ...parsed, id: undefined } as PipelineDocument);
      useDocument.getState().change((d) => d);
    } catch (err) {
      useUi.getState().say(`Import failed: ${(err as Error).message}`, 'error');
    }
  };

  // The selected node's input schema, for completions and checks.
  const inputSchema = selectedNode
    ? mergeSchemas(doc.edges.filter((e) => e.target === selectedNode).map((e) => validation.schemas?.[e.id])) ?? undefined
    : undefined;

  return (
    <ReactFlowProvider>
      <div className="app">
        <header className="toolbar">
          <strong className="brand">Sluice</strong>
          <select aria-label="Pipeline" value={id ?? ''} onChange={(e) => (e.target.value ? void open(e.target.value) : useDocument.getState().load(undefined, { format: 'sluice/v1', name: 'Untitled pipeline', nodes: [], edges: [] }))}>
            <option value="">New pipeline</option>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} {p.status === 'running' ? '(running)' : ''}
              </option>
            ))}
          </select>
          <input aria-label="Pipeline name" value={doc.name ?? ''} onChange={(e) => useDocument.getState().change((d) => ({ ...d, name: e.target.value }))} />
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
          <button type="button" onClick={() => void duplicate()} disabled={!id}>
            Duplicate
          </button>
          <button type="button" onClick={() => void remove()} disabled={!id}>
            Delete
          </button>
          <button type="button" onClick={exportDoc}>
            Export
          </button>
          <label className="button">
            Import
            <input type="file" accept="application/json,.json" hidden onChange={(e) => void e.target.files?.[0]?.text().then(importText)} />
          </label>
          <button type="button" className="primary" onClick={() => void deploy()} disabled={!validation.ok} title={validation.ok ? 'Deploy' : 'Fix the problems first'}>
            Deploy
          </button>
          <button type="button" onClick={() => void stop()} disabled={status !== 'running'}>
            Stop
          </button>
          <span className={`status status-${status}`} data-testid="status">
            {status}
          </span>
          {message ? <span className={`message ${message.kind}`}>{message.text}</span> : null}
        </header>
        <main
          className="main"
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            // A .json file dropped anywhere imports it (node drags from the palette carry no files).
            const file = e.dataTransfer.files?.[0];
            if (file?.name.endsWith('.json')) {
              e.preventDefault();
              void file.text().then(importText);
            }
          }}
        >
          <Palette />
          <Canvas invalidNodes={invalidNodes} />
          {selectedNode ? <NodePanel nodeId={selectedNode} inputSchema={inputSchema} /> : null}
          {!selectedNode && selectedEdge && id && status === 'running' ? <TapPanel pipelineId={id} edgeId={selectedEdge} /> : null}
        </main>
        <footer>
          <ProblemsPanel diagnostics={validation.diagnostics} />
        </footer>
      </div>
    </ReactFlowProvider>
  );
}
