/** A live tap on the selected edge: the last events crossing it, pausable, with the fields the server masked. */
import { useEffect, useState } from 'react';
import { type MaskedField, subscribeTap } from '../api/client';

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
  const [events, setEvents] = useState<Record<string, unknown>[]>([]);
  const [masked, setMasked] = useState<MaskedField[]>([]);
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    return subscribeTap(pipelineId, edgeId, (batch) => setEvents((prev) => [...batch.reverse(), ...prev].slice(0, 50)), setMasked);
  }, [pipelineId, edgeId, paused]);
  return (
    <aside className="panel" aria-label={`Tap on ${edgeId}`}>
      <h2>Events on {edgeId}</h2>
      <button type="button" onClick={() => setPaused(!paused)}>
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
        {events.map((e) => JSON.stringify(e)).join('\n') || 'waiting for events…'}
      </pre>
    </aside>
  );
}
