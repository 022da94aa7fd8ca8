/**
 * A pipeline's history (`#/p/:id/history`): every version, the difference between any two in
 * words, rolling back to an earlier one, and the pipeline's audit entries.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DocumentDiff, ValueChange } from '@sluice/shared';
import { type AuditEntry, ApiError, api, type Role, type VersionDiff, type VersionInfo } from '../api/client';
import { useUi } from '../stores/ui-store';
import { AuditTable } from './audit-page';
import { canEditGraph, canRollback } from './roles';
import { report, shortTime } from './report';
import { formatRoute } from './route';
import { statusLabel } from './status-label';
import { comparePair, toggleCompare } from './version-selection';

const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

export function HistoryPage({ pipelineId, role }: { pipelineId: string; role: Role }) {
  const [name, setName] = useState<string>(pipelineId);
  const [status, setStatus] = useState<string>('');
  const [versions, setVersions] = useState<{ current: number; versions: VersionInfo[] } | undefined>(undefined);
  const [selected, setSelected] = useState<number[]>([]);
  const [diff, setDiff] = useState<VersionDiff | undefined>(undefined);
  const [audit, setAudit] = useState<AuditEntry[] | undefined>(undefined);
  const [auditError, setAuditError] = useState<string | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const [p, v] = await Promise.all([api.get(pipelineId), api.versions(pipelineId)]);
      setName(p.pipeline.document.name ?? pipelineId);
      setStatus(p.status);
      setVersions(v);
      // The last change is what one usually wants to see first.
      setSelected(v.versions.length >= 2 ? v.versions.slice(-2).map((x) => x.version) : []);
    } catch (err) {
      setLoadError(err instanceof ApiError ? err.message : String(err));
    }
    api.pipelineAudit(pipelineId).then(
      (entries) => {
        setAudit(entries);
        setAuditError(undefined);
      },
      (err) => setAuditError(err instanceof ApiError ? err.message : String(err)),
    );
  }, [pipelineId]);
  useEffect(() => {
    void load();
  }, [load]);

  const pair = comparePair(selected);
  const pairKey = pair ? `${pair[0]}:${pair[1]}` : '';
  useEffect(() => {
    if (!pairKey) return setDiff(undefined);
    const [a, b] = pairKey.split(':').map(Number) as [number, number];
    let cancelled = false;
    api.diff(pipelineId, a, b).then((d) => {
      if (!cancelled) setDiff(d);
    }, report);
    return () => {
      cancelled = true;
    };
  }, [pipelineId, pairKey]);

  const rollback = async (v: VersionInfo) => {
    const redeploy = status === 'running' ? ' The running pipeline is redeployed with it.' : '';
    if (
      !window.confirm(
        `Roll "${name}" back to version ${v.version} (${shortTime(v.at)}, ${v.author})? It is stored as a new version.${redeploy}`,
      )
    )
      return;
    try {
      const r = await api.rollback(pipelineId, v.version);
      useUi.getState().say(`Rolled back to version ${v.version}: now version ${r.version}${r.deployed ? ', redeployed' : ''}`);
      await load();
    } catch (err) {
      report(err);
    }
  };

  if (loadError)
    return (
      <div className="page">
        <p className="message error" role="alert">
          {loadError} <a href="#/">Back to the pipelines</a>
        </p>
      </div>
    );

  const newestFirst = [...(versions?.versions ?? [])].reverse();
  return (
    <div className="page history-page" data-testid="history-page">
      <div className="page-head">
        <h1>History of {name}</h1>
        <a
          href={formatRoute(role === 'business' ? { page: 'business', id: pipelineId } : { page: 'editor', id: pipelineId })}
          className="button"
        >
          Open
        </a>
        {canEditGraph(role) ? (
          <a href={formatRoute({ page: 'business', id: pipelineId })} className="button">
            Business view
          </a>
        ) : null}
        <span className={`status status-${status}`}>{statusLabel(status)}</span>
      </div>
      <section>
        <h2>Versions</h2>
        <p className="hint">Tick two versions to see what changed between them.</p>
        <table className="grid-table versions" data-testid="versions">
          <thead>
            <tr>
              <th>Compare</th>
              <th>Version</th>
              <th>Time</th>
              <th>Author</th>
              <th>Action</th>
              <th>Note</th>
              <th>
                <span className="sr-only">Roll back</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((v) => (
              <tr key={v.version} data-testid={`version-${v.version}`} className={selected.includes(v.version) ? 'picked' : ''}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Compare version ${v.version}`}
                    checked={selected.includes(v.version)}
                    onChange={() => setSelected((s) => toggleCompare(s, v.version))}
                  />
                </td>
                <td className="num">
                  {v.version}
                  {v.version === versions?.current ? <span className="badge">current</span> : null}
                </td>
                <td>{shortTime(v.at)}</td>
                <td>{v.author}</td>
                <td>{v.action}</td>
                <td>{v.note ?? ''}</td>
                <td>
                  {canRollback(role) && v.version !== versions?.current ? (
                    <button type="button" onClick={() => void rollback(v)}>
                      Roll back to this version
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section data-testid="diff">
        <h2>{diff ? `Changes from version ${diff.from} to ${diff.to}` : 'Changes'}</h2>
        {diff ? <DiffView diff={diff.diff} /> : <p className="hint">{pair ? 'Loading…' : 'Pick two versions.'}</p>}
      </section>
      <section>
        <h2>
          Audit <a href={formatRoute({ page: 'audit', pipeline: pipelineId })}>(in the whole log)</a>
        </h2>
        {auditError ? (
          <p className="hint">The audit log is not available: {auditError}</p>
        ) : audit ? (
          <AuditTable entries={audit} showPipeline={false} />
        ) : (
          <p className="hint">Loading…</p>
        )}
      </section>
    </div>
  );
}

/** Rows counted from 1 as the business page counts them: `config.rows[0].then.x` reads `config.row 1.then.x`. */
export function readablePath(path: string): string {
  return path.replace(/\brows\[(\d+)\]/g, (_, n: string) => `row ${Number(n) + 1}`);
}

function Changes({ list, prefix = '' }: { list: ValueChange[]; prefix?: string }) {
  return (
    <ul className="changes">
      {list.map((c) => (
        <li key={c.path}>
          <span className="mono">
            {prefix}
            {readablePath(c.path)}
          </span>{' '}
          <del>{show(c.from)}</del> → <ins>{show(c.to)}</ins>
        </li>
      ))}
    </ul>
  );
}

/** The summary lines first (what a reviewer reads), then the same changes grouped. */
export function DiffView({ diff }: { diff: DocumentDiff }) {
  if (diff.summary.length === 0) return <p className="empty">No differences (node positions are not compared).</p>;
  const nodeCount = diff.nodes.added.length + diff.nodes.removed.length + diff.nodes.changed.length;
  return (
    <div className="diff">
      <ul className="summary" data-testid="diff-summary">
        {diff.summary.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: summary lines may repeat; never reordered
          <li key={i}>{line}</li>
        ))}
      </ul>
      <div className="diff-groups">
        {diff.document.length > 0 ? (
          <div>
            <h3>Document</h3>
            <Changes list={diff.document} />
          </div>
        ) : null}
        {diff.params.length > 0 ? (
          <div data-testid="diff-params">
            <h3>Params</h3>
            <Changes list={diff.params} />
          </div>
        ) : null}
        {nodeCount > 0 ? (
          <div data-testid="diff-nodes">
            <h3>Nodes</h3>
            <ul className="changes">
              {diff.nodes.added.map((id) => (
                <li key={`+${id}`}>
                  <ins>added</ins> <span className="mono">{id}</span>
                </li>
              ))}
              {diff.nodes.removed.map((id) => (
                <li key={`-${id}`}>
                  <del>removed</del> <span className="mono">{id}</span>
                </li>
              ))}
            </ul>
            {diff.nodes.changed.map((n) => (
              <div key={n.id} className="node-changes">
                <strong className="mono">{n.id}</strong>
                <Changes list={n.changes} />
              </div>
            ))}
          </div>
        ) : null}
        {diff.edges.added.length + diff.edges.removed.length > 0 ? (
          <div data-testid="diff-edges">
            <h3>Edges</h3>
            <ul className="changes">
              {diff.edges.added.map((e) => (
                <li key={`+${e}`}>
                  <ins>added</ins> <span className="mono">{e}</span>
                </li>
              ))}
              {diff.edges.removed.map((e) => (
                <li key={`-${e}`}>
                  <del>removed</del> <span className="mono">{e}</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </div>
  );
}
