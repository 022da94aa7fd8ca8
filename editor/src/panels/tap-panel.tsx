/**
 * A live tap on the selected edge: the last events crossing it, pausable, with the fields the
 * server masked. Named by the nodes it joins, not its internal id; events wrap instead of being
 * cut, times read as times.
 */
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { useMemo, useState } from 'react';
import { ApiError, api } from '../api/client';
import { useDocument } from '../stores/document-store';
import { usePinned } from '../stores/pinned-store';
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
      <PinFromTap pipelineId={pipelineId} edgeId={edgeId} events={shown.map((l) => l.event)} />
      <pre className="tap" data-testid="tap">
        {shown.map((l) => eventLine(l.event)).join('\n') || 'waiting for events…'}
      </pre>
    </aside>
  );
}

/** Pinned samples hold at most this many events (docs/pinned-samples.md). */
const MAX_PINNED = 100;

/**
 * On an edge out of a source: pin the events the tap shows as that source's sample. They were
 * masked for the tap and are masked again on arrival (drop, redact and keep_last change nothing
 * the second time; docs/pinned-samples.md).
 */
function PinFromTap({ pipelineId, edgeId, events }: { pipelineId: string; edgeId: string; events: Record<string, unknown>[] }) {
  const source = useDocument((s) => {
    const id = s.doc.edges.find((e) => e.id === edgeId)?.source;
    const node = s.doc.nodes.find((n) => n.id === id);
    return node && nodeDefinitions.get(node.type)?.category === 'source' ? node : undefined;
  });
  const [said, setSaid] = useState<string>();
  if (!source) return null;
  // The tap lists newest first; a sample reads oldest first.
  const sample = events.slice(0, MAX_PINNED).reverse();
  return (
    <>
      <button
        type="button"
        disabled={sample.length === 0}
        onClick={() =>
          void api.pin(pipelineId, source.id, { events: sample }).then(
            (r) => {
              usePinned.getState().set(source.id, r.events);
              setSaid(`${r.count} events pinned on ${source.label || source.id}`);
            },
            (err: unknown) => setSaid(err instanceof ApiError ? err.message : String(err)),
          )
        }
      >
        Pin these events
      </button>
      {said ? (
        <span className="hint" role="status" data-testid="tap-pinned">
          {said}
        </span>
      ) : null}
    </>
  );
}
