/**
 * The debug panel under the canvas: what the console sinks print and the events sent to error
 * ports (with their `_error`), and the last events into and out of the selected node. While the
 * pipeline runs it comes from taps on its edges (a sample: at most 20 events/s per edge); when
 * it does not, from a preview run of the draft on the sample events ("Run on samples": recorded,
 * pinned or a generator's own; docs/preview.md), without deploying anything.
 */
import { memo, useMemo, useState } from 'react';
import { MAX_OPEN_TAPS } from '../api/tap-hub';
import type { DebugRunAnswer } from '../api/client';
import { useDocument } from '../stores/document-store';
import { useMetrics } from '../stores/metrics-store';
import { usePreviewRun } from '../stores/preview-run-store';
import { useUi } from '../stores/ui-store';
import { consoleEdges, errorEdges, eventLine, nodeEdges, type TappedEdge } from './debug-edges';
import { type TapLine, useTapLines } from './use-tap-lines';

type Tab = 'console' | 'node';
/** Lines the console keeps; events per direction for a node. */
const CONSOLE_LINES = 200;
const NODE_EVENTS = 20;

export const DebugPanel = memo(function DebugPanel({
  pipelineId,
  canRun = true,
}: {
  pipelineId: string | undefined;
  /** Editors and admins: a run on samples (the route is theirs). */
  canRun?: boolean;
}) {
  const [tab, setTab] = useState<Tab>('console');
  const [open, setOpen] = useState(false);
  const running = useMetrics((s) => s.status === 'running') && pipelineId !== undefined;
  const show = (t: Tab) => {
    setTab(t);
    setOpen(true);
  };
  return (
    <section className={`debug${open ? ' open' : ''}`} aria-label="Debug panel">
      <div className="debug-head">
        <div role="tablist" aria-label="Debug views">
          <button type="button" role="tab" aria-selected={open && tab === 'console'} onClick={() => show('console')}>
            Console
          </button>
          <button type="button" role="tab" aria-selected={open && tab === 'node'} onClick={() => show('node')}>
            Node events
          </button>
        </div>
        {pipelineId && canRun && !running ? <RunPreviewButton pipelineId={pipelineId} onRun={() => setOpen(true)} /> : null}
        <button type="button" className="debug-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide' : 'Show'} debug panel
        </button>
      </div>
      {open ? (
        <div className="debug-body" role="tabpanel">
          {tab === 'console' ? (
            <ConsoleView pipelineId={pipelineId} running={running} />
          ) : (
            <NodeEventsView pipelineId={pipelineId} running={running} />
          )}
        </div>
      ) : null}
    </section>
  );
});

function NotRunning() {
  return (
    <p className="hint">
      Deploy the pipeline to see its events here while it runs, or press Run on samples to run the draft on the recorded or pinned events.
    </p>
  );
}

function RunPreviewButton({ pipelineId, onRun }: { pipelineId: string; onRun: () => void }) {
  const busy = usePreviewRun((s) => s.running);
  return (
    <button
      type="button"
      className="debug-run"
      disabled={busy}
      title="Run the draft on the recorded or pinned events (nothing is deployed) and show what it prints and sends"
      onClick={() => {
        onRun();
        void usePreviewRun.getState().run(pipelineId, useDocument.getState().doc);
      }}
    >
      {busy ? 'Running…' : 'Run on samples'}
    </button>
  );
}

/** Where a preview run's lines came from, and its failure when it failed. */
function PreviewRunNote() {
  const result = usePreviewRun((s) => s.result);
  const error = usePreviewRun((s) => s.error);
  if (error)
    return (
      <p className="hint debug-error" role="alert">
        Preview run failed: {error}
      </p>
    );
  if (!result) return null;
  const from = Object.entries(result.sources)
    .map(([node, n]) => `${node}: ${n} ${result.samples[node] ?? ''} event${n === 1 ? '' : 's'}`)
    .join(', ');
  return (
    <p className="hint" data-testid="debug-preview-note">
      Preview run (not deployed) on {from || 'no events'}
      {result.error ? `; the run failed: ${result.error}` : ''}.
    </p>
  );
}

let previewSeq = 0;
/** A preview run's events on some edges as lines, newest first, as taps give them. */
function previewLines(result: DebugRunAnswer | undefined, edges: TappedEdge[], keep: number): TapLine[] {
  if (!result) return [];
  const lines: TapLine[] = [];
  for (const edge of edges) for (const event of result.edges[edge.edgeId]?.events ?? []) lines.push({ seq: previewSeq++, edge, event });
  return lines.reverse().slice(0, keep);
}

function Waiting({ n }: { n: number }) {
  return n > 0 ? (
    <p className="hint">
      {n} more edge{n === 1 ? '' : 's'} waiting: the panel taps at most {MAX_OPEN_TAPS} edges at a time.
    </p>
  ) : null;
}

function ConsoleView({ pipelineId, running }: { pipelineId: string | undefined; running: boolean }) {
  const doc = useDocument((s) => s.doc);
  const edges = useMemo(() => {
    const printed = consoleEdges(doc);
    // An error port wired to a console sink is tapped once.
    return [...printed, ...errorEdges(doc).filter((e) => !printed.some((p) => p.edgeId === e.edgeId))];
  }, [doc]);
  const { lines, waiting } = useTapLines(pipelineId, edges, running, CONSOLE_LINES);
  const result = usePreviewRun((s) => s.result);
  const runError = usePreviewRun((s) => s.error);
  const fromPreview = useMemo(() => previewLines(result, edges, CONSOLE_LINES), [result, edges]);
  if (edges.length === 0)
    return <p className="hint">No console sink and no connected error port: add a Console sink to print events here.</p>;
  if (!running && (result || runError))
    return (
      <>
        <PreviewRunNote />
        <Lines lines={fromPreview} testId="debug-console" empty="the preview run printed nothing" />
      </>
    );
  if (!running) return <NotRunning />;
  return (
    <>
      <Waiting n={waiting} />
      <Lines lines={lines} testId="debug-console" empty="waiting for events…" />
    </>
  );
}

function NodeEventsView({ pipelineId, running }: { pipelineId: string | undefined; running: boolean }) {
  const nodeId = useUi((s) => s.selectedNode);
  const doc = useDocument((s) => s.doc);
  const { inputs, outputs } = useMemo(() => (nodeId ? nodeEdges(doc, nodeId) : { inputs: [], outputs: [] }), [doc, nodeId]);
  const inLines = useTapLines(pipelineId, inputs, running, NODE_EVENTS);
  const outLines = useTapLines(pipelineId, outputs, running, NODE_EVENTS);
  const result = usePreviewRun((s) => s.result);
  const runError = usePreviewRun((s) => s.error);
  if (!nodeId) return <p className="hint">Select a node to see the last events into and out of it.</p>;
  const label = doc.nodes.find((n) => n.id === nodeId)?.label || nodeId;
  if (!running && (result || runError))
    return (
      <>
        <PreviewRunNote />
        <div className="debug-io">
          <div>
            <h3>Into {label}</h3>
            <Lines
              lines={previewLines(result, inputs, NODE_EVENTS)}
              testId="debug-node-in"
              empty={inputs.length ? 'nothing reached it' : 'a source: no input'}
            />
          </div>
          <div>
            <h3>Out of {label}</h3>
            <Lines
              lines={previewLines(result, outputs, NODE_EVENTS)}
              testId="debug-node-out"
              empty={outputs.length ? 'it sent nothing' : 'nothing connected'}
            />
          </div>
        </div>
      </>
    );
  if (!running) return <NotRunning />;
  return (
    <div className="debug-io">
      <div>
        <h3>Into {label}</h3>
        <Waiting n={inLines.waiting} />
        <Lines lines={inLines.lines} testId="debug-node-in" empty={inputs.length ? 'waiting for events…' : 'a source: no input'} />
      </div>
      <div>
        <h3>Out of {label}</h3>
        <Waiting n={outLines.waiting} />
        <Lines lines={outLines.lines} testId="debug-node-out" empty={outputs.length ? 'waiting for events…' : 'nothing connected'} />
      </div>
    </div>
  );
}

/** An `_error` as the node wrote it: `{ node, message, code }`, or anything else as JSON. */
function errorText(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : JSON.stringify(error);
}

function Lines({ lines, testId, empty }: { lines: TapLine[]; testId: string; empty: string }) {
  if (lines.length === 0) return <p className="hint">{empty}</p>;
  return (
    <ol className="debug-lines" data-testid={testId}>
      {lines.map((l) => {
        const error = l.event._error;
        return (
          <li key={l.seq} className={error !== undefined ? 'error' : undefined}>
            <span className="debug-from">{l.edge.title}</span>
            {error !== undefined ? <strong className="debug-error">{errorText(error)}</strong> : null}
            <code>
              {l.edge.prefix ?? ''}
              {eventLine(l.event)}
            </code>
          </li>
        );
      })}
    </ol>
  );
}
