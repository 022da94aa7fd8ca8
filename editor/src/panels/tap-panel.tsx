/**
 * A live tap on the selected edge: the last events crossing it, pausable. Named by the nodes it
 * joins, not its internal id; events wrap instead of being cut, times read as times.
 */
import { useMemo, useState } from 'react';
import { useDocument } from '../stores/document-store';
import { edgeTitle, eventLine } from './debug-edges';
import { useTapLines } from './use-tap-lines';

export function TapPanel({ pipelineId, edgeId }: { pipelineId: string; edgeId: string }) {
  const [paused, setPaused] = useState(false);
  const doc = useDocument((s) => s.doc);
  const title = edgeTitle(doc, edgeId);
  const edges = useMemo(() => [{ edgeId, title }], [edgeId, title]);
  const { lines } = useTapLines(pipelineId, edges, !paused, 50);
  const [frozen, setFrozen] = useState(lines);
  const shown = paused ? frozen : lines;
  return (
    <aside className="panel" aria-label={`Events on ${title}`}>
      <h2>Events on {title}</h2>
      <button
        type="button"
        onClick={() => {
          setFrozen(lines);
          setPaused(!paused);
        }}
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
      <pre className="tap" data-testid="tap">
        {shown.map((l) => eventLine(l.event)).join('\n') || 'waiting for events…'}
      </pre>
    </aside>
  );
}
