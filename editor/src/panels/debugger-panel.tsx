/**
 * The stream debugger's side panel section (docs/debugger.md): where the session is paused (the
 * edge, why), the event and its event time, the watermark of every stage, and the state
 * downstream for the event's key: a window's open panes with their partial aggregates, or a
 * rules node's matching row. At the end: what each sink received.
 */
import type { DebugEnd, DebugKeyedState, DebugPause, DebugSessionView, WatermarkValue } from '@sluice/shared';
import { useDebugger } from '../stores/debugger-store';
import { useDocument } from '../stores/document-store';
import { edgeTitle } from './debug-edges';
import './debugger.css';

/** An epoch-ms time as a person reads it, to the millisecond, in UTC (event times are compared across zones). */
export function humanTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

const watermarkText = (w: WatermarkValue) => (w === null ? 'none yet' : w === 'end' ? 'end of input' : humanTime(w));
const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function DebuggerPanel() {
  const session = useDebugger((s) => s.session);
  const pause = useDebugger((s) => s.pause);
  const end = useDebugger((s) => s.end);
  const busy = useDebugger((s) => s.busy);
  const error = useDebugger((s) => s.error);
  if (!session && !error) return null;
  return (
    <section className="panel debugger-panel" aria-label="Debugger" data-testid="debugger-panel">
      <h2>Debugger</h2>
      {error ? (
        <p className="debugger-error" role="alert" data-testid="debugger-error">
          {error}{' '}
          {session ? null : (
            <button type="button" onClick={() => void useDebugger.getState().stop()}>
              Dismiss
            </button>
          )}
        </p>
      ) : null}
      <p className="hint" aria-live="polite" data-testid="debugger-status">
        {busy ? 'Running…' : end ? 'The run ended.' : pause ? pauseLine(pause) : session ? readyLine(session) : ''}
      </p>
      {pause && !end ? <PauseView pause={pause} /> : null}
      {end ? <EndView end={end} /> : null}
    </section>
  );
}

function readyLine(s: DebugSessionView): string {
  const from = Object.entries(s.samples ?? {})
    .map(([node, origin]) => `${node}: ${origin}`)
    .join(', ');
  return `Ready on ${s.events} event${s.events === 1 ? '' : 's'}${from ? ` (${from})` : ''}: step, or run to the next breakpoint hit.`;
}

function pauseLine(p: DebugPause): string {
  const why = p.reason === 'breakpoint' ? `Breakpoint ${p.breakpoint ?? ''} hit` : p.reason === 'step' ? 'Stepped' : 'Stepped a batch';
  return `${why} (pause ${p.seq}, event ${p.index + 1} of ${p.batchSize} in the batch; ${p.progress.sourceEvents} source events read)`;
}

function PauseView({ pause }: { pause: DebugPause }) {
  const doc = useDocument((s) => s.doc);
  return (
    <>
      <h3>Paused on {edgeTitle(doc, pause.edge.id)}</h3>
      <pre data-testid="debugger-event">{JSON.stringify(pause.event, null, 2)}</pre>
      <p data-testid="debugger-event-time">
        Event time: {pause.eventTime === null ? 'none (unstamped)' : humanTime(pause.eventTime)}
        {pause.sourceWatermark !== undefined ? ` (late: behind its source's watermark ${humanTime(pause.sourceWatermark)})` : ''}
      </p>
      <h3>Watermarks</h3>
      <table className="grid-table" data-testid="debugger-watermarks">
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Nodes</th>
            <th scope="col">Watermark</th>
          </tr>
        </thead>
        <tbody>
          {pause.watermarks.map((w) => (
            <tr key={w.stage}>
              <td className="num">{w.stage}</td>
              <td>{w.nodes.join(', ')}</td>
              <td>{watermarkText(w.watermark)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pause.state ? <KeyedState state={pause.state} /> : <p className="hint">No window or rules node after this edge.</p>}
    </>
  );
}

function KeyedState({ state }: { state: DebugKeyedState }) {
  if (state.type === 'rules')
    return (
      <>
        <h3>Rules {state.node}</h3>
        <p data-testid="debugger-rules-row">{state.row === 0 ? 'No row matches: the default applies.' : `Row ${state.row} matches.`}</p>
        <pre data-testid="debugger-rules-outputs">{JSON.stringify(state.outputs, null, 2)}</pre>
      </>
    );
  const names = [...new Set(state.panes.flatMap((p) => Object.keys(p.aggregates)))];
  const key = Object.entries(state.key)
    .map(([k, v]) => `${k} = ${cell(v)}`)
    .join(', ');
  return (
    <>
      <h3>
        Window {state.node}
        {key ? `, key ${key}` : ''}
      </h3>
      {state.panes.length === 0 ? (
        <p className="hint">No open pane for this key.</p>
      ) : (
        <table className="grid-table" data-testid="debugger-panes">
          <caption className="sr-only">Open panes of window {state.node}</caption>
          <thead>
            <tr>
              <th scope="col">Start</th>
              <th scope="col">End</th>
              <th scope="col">Count</th>
              {names.map((n) => (
                <th key={n} scope="col">
                  {n}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {state.panes.map((p) => (
              <tr key={`${p.start}-${p.end}`}>
                <td>{humanTime(p.start)}</td>
                <td>{humanTime(p.end)}</td>
                <td className="num" data-col="count">
                  {p.count}
                </td>
                {names.map((n) => (
                  <td key={n} className="num" data-col={n}>
                    {cell(p.aggregates[n])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function EndView({ end }: { end: DebugEnd }) {
  return (
    <>
      <h3>Ended: {end.reason ?? end.status}</h3>
      {end.error ? <p className="debugger-error">{end.error}</p> : null}
      <ul data-testid="debugger-end">
        {Object.entries(end.outputs).map(([sink, o]) => (
          <li key={sink}>
            {sink}: {o.count} event{o.count === 1 ? '' : 's'} out
          </li>
        ))}
      </ul>
    </>
  );
}
