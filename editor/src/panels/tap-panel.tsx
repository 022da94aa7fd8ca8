/**
 * A live tap on the selected edge: the last events crossing it, pausable, with the fields the
 * server masked. Named by the nodes it joins, not its internal id; events wrap instead of being
 * cut, times read as times.
 */
import { useMemo, useState } from 'react';
import { useDocument } from '../stores/document-store';
import { edgeTitle, eventLine } from './debug-edges';
import { useTapLines } from './use-tap-lines';

/** How a mask reads to a person: a rule's op, or the default for personal-looking names. */
const HOW: Record<string, string> = {
  personal: 'looks personal',
  drop: 'removed',
  hmac: 'pseudonymized',
  keep_last: 'last characters kept',
  range: 'as a range',
  day: 'day only',
  redact: 'hidden',
};

export function TapPanel({ pipelineId, edgeId }: { pipelineId: string; edgeId: string }) {
  const [paused, setPaused] = useState(false);
  const doc = useDocument((s) => s.doc);
  const title = edgeTitle(doc, edgeId);
  const edges = useMemo(() => [{ edgeId, title }], [edgeId, title]);
  const { lines, masked: maskedByEdge } = useTapLines(pipelineId, edges, !paused, 50);
  const masked = maskedByEdge[edgeId] ?? [];
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
      {masked.length > 0 && (
        <p className="tap-masked" data-testid="tap-masked" title="The pipeline's privacy settings decide what is masked (docs/privacy.md)">
          Masked:{' '}
          {masked.map((m) => (
            <span key={m.field} className="badge" data-field={m.field}>
              {m.field} ({HOW[m.how] ?? m.how})
            </span>
          ))}
        </p>
      )}
      <pre className="tap" data-testid="tap">
        {shown.map((l) => eventLine(l.event)).join('\n') || 'waiting for events…'}
      </pre>
    </aside>
  );
}
