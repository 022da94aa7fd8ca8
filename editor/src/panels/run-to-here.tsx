/**
 * "Run to here": the draft, up to this node, on the sample events (recorded, else pinned, else a
 * generator's own), in the embedded engine: nothing is deployed. Shows what the node sends out of
 * each port; the debug panel shows the rest of the run.
 */
import { useDocument } from '../stores/document-store';
import { usePreviewRun } from '../stores/preview-run-store';
import { eventLine } from './debug-edges';

const SHOWN = 20;

export function RunToHere({ pipelineId, nodeId }: { pipelineId: string | undefined; nodeId: string }) {
  const result = usePreviewRun((s) => (s.result?.until?.nodeId === nodeId ? s.result : undefined));
  const running = usePreviewRun((s) => s.running);
  const error = usePreviewRun((s) => s.error);
  if (!pipelineId) return null;
  const ports = result?.until ? Object.entries(result.until.ports) : [];
  return (
    <section className="run-to-here" aria-label="Run to here">
      <button
        type="button"
        disabled={running}
        title="Run the draft up to this node on the recorded or pinned events, without deploying"
        onClick={() => void usePreviewRun.getState().run(pipelineId, useDocument.getState().doc, nodeId)}
      >
        {running ? 'Running…' : 'Run to here'}
      </button>
      {error && !result ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <div data-testid="run-to-here-result">
          <p className="hint">
            On{' '}
            {Object.entries(result.sources)
              .map(([s, n]) => `${n} ${result.samples[s] ?? ''} events of ${s}`)
              .join(', ')}
            {result.error ? `; the run failed: ${result.error}` : ''}
          </p>
          {ports.map(([port, sample]) => (
            <div key={port} data-testid={`run-to-here-${port}`}>
              <h4>
                {port}: {sample.count} event{sample.count === 1 ? '' : 's'}
              </h4>
              <ol className="debug-lines">
                {sample.events.slice(-SHOWN).map((e, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, replaced whole
                  <li key={i} className={e._error !== undefined ? 'error' : undefined}>
                    <code>{eventLine(e)}</code>
                  </li>
                ))}
              </ol>
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
