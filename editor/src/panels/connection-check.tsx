/**
 * "Check connection" for a connector node: the server connects with the node's current config
 * (and its own secrets), looks at what the config names, and says what it found or what is
 * wrong. Only for roles that may edit the graph (the server refuses the others).
 */
import { CircleCheck, CircleX } from 'lucide-react';
import { useState } from 'react';
import { ApiError, api } from '../api/client';

type Result = { ok: boolean; message: string; ms?: number };

export function ConnectionCheck({
  pipelineId,
  nodeId,
  config,
}: {
  pipelineId: string | undefined;
  nodeId: string;
  config: Record<string, unknown>;
}) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | undefined>();
  if (!pipelineId) return <p className="hint">Save the pipeline to check this node's connection.</p>;
  const run = async () => {
    setBusy(true);
    setResult(undefined);
    try {
      setResult(await api.checkConnection(pipelineId, nodeId, config));
    } catch (err) {
      const details = err instanceof ApiError ? (err.body.error.details as { path?: string; message: string }[] | undefined) : undefined;
      const first = details?.[0];
      setResult({ ok: false, message: first ? `${first.path ?? 'config'}: ${first.message}` : (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="connection-check" data-testid="connection-check">
      <button type="button" onClick={() => void run()} disabled={busy}>
        {busy ? 'Checking…' : 'Check connection'}
      </button>
      {result ? (
        <p className={result.ok ? 'check-ok' : 'field-error'} role={result.ok ? 'status' : 'alert'} data-testid="connection-check-result">
          {result.ok ? <CircleCheck size={14} aria-hidden="true" /> : <CircleX size={14} aria-hidden="true" />}
          {result.message}
        </p>
      ) : null}
    </div>
  );
}
