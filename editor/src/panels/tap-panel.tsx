/** A live tap on the selected edge: the last events crossing it, pausable. */
import { useEffect, useState } from 'react';
import { subscribeTap } from '../api/client';

export function TapPanel({ pipelineId, edgeId }: { pipelineId: string; edgeId: string }) {
  const [events, setEvents] = useState<Record<string, unknown>[]>([]);
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    return subscribeTap(pipelineId, edgeId, (batch) => setEvents((prev) => [...batch.reverse(), ...prev].slice(0, 50)));
  }, [pipelineId, edgeId, paused]);
  return (
    <aside className="panel" aria-label={`Tap on ${edgeId}`}>
      <h2>Events on {edgeId}</h2>
      <button type="button" onClick={() => setPaused(!paused)}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <pre className="tap" data-testid="tap">
        {events.map((e) => JSON.stringify(e)).join('\n') || 'waiting for events…'}
      </pre>
    </aside>
  );
}
