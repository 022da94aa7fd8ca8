/**
 * The BullMQ workers (`#/workers`, GET /api/workers): who serves the queues, on which host and
 * pid, what each is processing now and how old its last heartbeat is; above them the servers
 * (GET /api/cluster) and which one leads. Refreshed every 2 s.
 * Editors and admins only: the server refuses the others (403), and the top bar hides the link.
 */
import { useEffect, useState } from 'react';
import { ApiError, api, type ClusterAnswer, type WorkersAnswer } from '../api/client';

const REFRESH_MS = 2000;

/** 0.4 s, 12 s, 3 min: a heartbeat's age at a glance. */
export function formatAge(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export function WorkersPage() {
  const [answer, setAnswer] = useState<WorkersAnswer | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [cluster, setCluster] = useState<ClusterAnswer | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    const load = () => {
      // The servers are a bonus: the workers' error line says what is wrong with Redis.
      api.cluster().then(
        (c) => !cancelled && setCluster(c),
        () => undefined,
      );
      return api.workers().then(
        (a) => {
          if (cancelled) return;
          setAnswer(a);
          setError(undefined);
        },
        (err) => {
          if (!cancelled) setError(err instanceof ApiError ? err.message : String(err));
        },
      );
    };
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, []);

  return (
    <div className="page workers-page" data-testid="workers-page">
      <div className="page-head">
        <h1>Workers</h1>
        {answer ? <span className="hint">{answer.engine} engine</span> : null}
      </div>
      {cluster && cluster.servers.length > 0 ? (
        <table className="grid-table" data-testid="servers">
          <thead>
            <tr>
              <th>Server</th>
              <th>Host</th>
              <th>Pid</th>
              <th>Role</th>
              <th>Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {cluster.servers.map((s) => (
              <tr key={s.id} data-server={s.id}>
                <td className="mono">
                  {s.id}
                  {s.id === cluster.self ? <span className="hint"> (this one)</span> : null}
                </td>
                <td>{s.host}</td>
                <td className="num">{s.pid}</td>
                <td>{s.leader && cluster.leader ? `leader since ${new Date(cluster.leader.since).toLocaleTimeString()}` : 'follower'}</td>
                <td className="num">{formatAge(s.lastBeatMs)} ago</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {error ? <p className="message error">The workers cannot be listed: {error}</p> : null}
      {!answer ? (
        error ? null : (
          <p className="hint">Loading…</p>
        )
      ) : answer.workers.length === 0 ? (
        <p className="empty">
          {answer.engine === 'bullmq' ? 'No worker serves the queues.' : 'The embedded engine runs pipelines in the server: no workers.'}
        </p>
      ) : (
        <table className="grid-table" data-testid="workers">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Host</th>
              <th>Pid</th>
              <th>Processing</th>
              <th>Last heartbeat</th>
              <th>Live</th>
            </tr>
          </thead>
          <tbody>
            {answer.workers.map((w) => (
              <tr key={w.id} data-worker={w.id}>
                <td className="mono">{w.id}</td>
                <td>{w.host ?? '?'}</td>
                <td className="num">{w.pid ?? '?'}</td>
                <td className="mono">{w.holds.length > 0 ? w.holds.join(', ') : <span className="hint">idle</span>}</td>
                <td className="num">{formatAge(w.heartbeatAgeMs)} ago</td>
                <td>{w.live ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
