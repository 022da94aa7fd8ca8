/** Every problem of the document (the server's validator, run here), click to focus the node. */
import { memo } from 'react';
import { type Diagnostic, formatDiagnostic } from '@sluice/shared';
import { useUi } from '../stores/ui-store';

/** Memoized: a drop or a selection reuses the last validation, so the list does not re-render. */
export const ProblemsPanel = memo(function ProblemsPanel({ diagnostics }: { diagnostics: Diagnostic[] }) {
  if (diagnostics.length === 0) return <div className="problems ok">No problems</div>;
  return (
    <ul className="problems" aria-label="Problems" data-testid="problems">
      {diagnostics.map((d, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics have no id
        <li key={i} className={d.severity}>
          <button type="button" onClick={() => useUi.getState().select(d.nodeId, d.edgeId)}>
            {d.severity === 'error' ? 'Error: ' : ''}
            {formatDiagnostic(d)}
          </button>
        </li>
      ))}
    </ul>
  );
});
