/**
 * The debug panel under the canvas: what the console sinks print and the events sent to error
 * ports (with their `_error`), and the last events into and out of the selected node. All of it
 * comes from taps on the running pipeline's edges (a sample: at most 20 events/s per edge).
 */
import { memo, useMemo, useState } from 'react';
import { MAX_OPEN_TAPS } from '../api/tap-hub';
import { useDocument } from '../stores/document-store';
import { useMetrics } from '../stores/metrics-store';
import { useUi } from '../stores/ui-store';
import { consoleEdges, errorEdges, eventLine, nodeEdges } from './debug-edges';
import { type TapLine, useTapLines } from './use-tap-lines';

type Tab = 'console' | 'node';
/** Lines the console keeps; events per direction for a node. */
const CONSOLE_LINES = 200;
const NODE_EVENTS = 20;

export const DebugPanel = memo(function DebugPanel({ pipelineId }: { pipelineId: string | undefined }) {
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
  return <p className="hint">Deploy the pipeline to see its events here while it runs.</p>;
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
  if (edges.length === 0)
    return <p className="hint">No console sink and no connected error port: add a Console sink to print events here.</p>;
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
  if (!nodeId) return <p className="hint">Select a node to see the last events into and out of it.</p>;
  if (!running) return <NotRunning />;
  const label = doc.nodes.find((n) => n.id === nodeId)?.label || nodeId;
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
