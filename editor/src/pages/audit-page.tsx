/** The whole audit log (`#/audit`), newest first, with a pipeline filter. */
import { useEffect, useState } from 'react';
import { type AuditEntry, ApiError, api, type PipelineSummary } from '../api/client';
import { shortTime } from './report';
import { formatRoute, navigate } from './route';

export function AuditTable({ entries, showPipeline }: { entries: AuditEntry[]; showPipeline: boolean }) {
  if (entries.length === 0) return <p className="empty">No entries.</p>;
  return (
    <table className="grid-table audit" data-testid="audit">
      <thead>
        <tr>
          <th>Time</th>
          <th>Who</th>
          <th>Action</th>
          {showPipeline ? <th>Pipeline</th> : null}
          <th>Version</th>
          <th>What changed</th>
          <th>From</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: entries have no id; the list is replaced whole
          <tr key={i}>
            <td>{shortTime(e.at)}</td>
            <td>
              {e.actor} <span className="hint">({e.role})</span>
            </td>
            <td>{e.action}</td>
            {showPipeline ? (
              <td>
                <a href={formatRoute({ page: 'history', id: e.pipelineId })}>{e.pipelineId}</a>
              </td>
            ) : null}
            <td className="num">{e.version ?? ''}</td>
            <td>
              {e.summary.length > 0 ? (
                <ul className="changes">
                  {e.summary.map((s, k) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: lines may repeat
                    <li key={k}>{s}</li>
                  ))}
                </ul>
              ) : null}
            </td>
            <td className="hint mono">{e.address}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AuditPage({ pipeline }: { pipeline: string | undefined }) {
  const [entries, setEntries] = useState<AuditEntry[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);

  useEffect(() => {
    api.list().then(setPipelines, () => undefined);
  }, []);
  useEffect(() => {
    let cancelled = false;
    setEntries(undefined);
    api.audit({ ...(pipeline ? { pipeline } : {}), limit: 500 }).then(
      (e) => {
        if (!cancelled) {
          setEntries(e);
          setError(undefined);
        }
      },
      (err) => {
        if (!cancelled) setError(err instanceof ApiError ? err.message : String(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [pipeline]);

  // A deleted pipeline still has entries: keep the filtered id in the list.
  const ids = [...new Set([...pipelines.map((p) => p.id), ...(pipeline ? [pipeline] : [])])];
  return (
    <div className="page audit-page" data-testid="audit-page">
      <div className="page-head">
        <h1>Audit log</h1>
        <label>
          Pipeline{' '}
          <select
            aria-label="Filter by pipeline"
            value={pipeline ?? ''}
            onChange={(e) => navigate({ page: 'audit', ...(e.target.value ? { pipeline: e.target.value } : {}) })}
          >
            <option value="">All pipelines</option>
            {ids.map((id) => (
              <option key={id} value={id}>
                {pipelines.find((p) => p.id === id)?.name ?? id}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error ? (
        <p className="message error">The audit log is not available: {error}</p>
      ) : entries ? (
        <AuditTable entries={entries} showPipeline />
      ) : (
        <p className="hint">Loading…</p>
      )}
    </div>
  );
}
