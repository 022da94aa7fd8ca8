/**
 * A source node's pinned sample (docs/pinned-samples.md): pin events pasted as JSON or JSON
 * Lines, or the last recorded ones, or unpin. The server masks what it stores by the
 * pipeline's privacy settings, so what is shown here is what is kept.
 */
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import { usePinned } from '../stores/pinned-store';
import { eventLine } from './debug-edges';
import './samples.css';

/** Events shown under the form; all of them are used. */
const SHOWN = 5;

export function PinnedSample({ pipelineId, nodeId, editable }: { pipelineId: string | undefined; nodeId: string; editable: boolean }) {
  const events = usePinned((s) => s.pinned[nodeId]);
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!pipelineId) return <p className="hint">Save the pipeline to pin sample events on this source.</p>;
  const act = async (f: () => Promise<Record<string, unknown>[] | undefined>) => {
    setBusy(true);
    setError(undefined);
    try {
      usePinned.getState().set(nodeId, await f());
      setText('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="pinned" aria-label="Pinned sample">
      <h3>Pinned sample</h3>
      <p className="hint">
        Events pinned here are what Preview, Run to here and test cases use when nothing is recorded, and their fields complete in the
        forms.
      </p>
      {events ? (
        <div data-testid="pinned-summary">
          <strong>{events.length}</strong> event{events.length === 1 ? '' : 's'} pinned
          <ol className="debug-lines pinned-events">
            {events.slice(0, SHOWN).map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, replaced whole
              <li key={i}>
                <code>{eventLine(e)}</code>
              </li>
            ))}
          </ol>
          {events.length > SHOWN ? <p className="hint">and {events.length - SHOWN} more</p> : null}
        </div>
      ) : (
        <p className="hint" data-testid="pinned-summary">
          Nothing pinned.
        </p>
      )}
      {editable ? (
        <>
          <label className="field">
            <span className="field-name">events (JSON Lines or a JSON array)</span>
            <textarea
              aria-label="Events to pin"
              rows={4}
              value={text}
              placeholder={'{"sku": "A", "quantity": 2}\n{"sku": "B", "quantity": 5}'}
              onChange={(e) => setText(e.target.value)}
            />
          </label>
          <div className="pinned-actions">
            <button
              type="button"
              disabled={busy || text.trim() === ''}
              onClick={() => void act(async () => (await api.pin(pipelineId, nodeId, { jsonl: text })).events)}
            >
              Pin these events
            </button>
            <button
              type="button"
              disabled={busy}
              title="Pin the last 20 events this source recorded"
              onClick={() => void act(async () => (await api.pin(pipelineId, nodeId, { fromRecording: 20 })).events)}
            >
              Pin from recording
            </button>
            {events ? (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void act(async () => {
                    await api.unpin(pipelineId, nodeId);
                    return undefined;
                  })
                }
              >
                Unpin
              </button>
            ) : null}
          </div>
        </>
      ) : null}
      {error ? (
        <p className="field-error" role="alert" data-testid="pinned-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
