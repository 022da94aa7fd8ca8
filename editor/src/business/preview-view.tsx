/**
 * Preview: the draft runs on the events recorded from the live pipeline's sources, beside the
 * live version, and this shows what would change per sink: counts, outcomes, the biggest moves
 * (table and a plain SVG bar chart, before vs after) and every changed key.
 */
import type { PipelineDocument } from '@sluice/shared';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type PreviewResult, type SampleOrigin, type SinkDiff } from '../api/client';
import { SaveTestCase } from './save-test-case';

export function PreviewView({
  pipelineId,
  document,
  onClose,
  canSaveCase = false,
}: {
  pipelineId: string;
  document: PipelineDocument;
  onClose?: () => void;
  /** Editors and admins: "Save as test case" from the events this preview ran on. */
  canSaveCase?: boolean;
}) {
  const [result, setResult] = useState<PreviewResult & { samples?: Record<string, SampleOrigin> }>();
  const [error, setError] = useState<{ message: string; lines: string[] }>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.preview(pipelineId, { document }));
    } catch (err) {
      setResult(undefined);
      setError(previewError(err));
    } finally {
      setBusy(false);
    }
  }, [pipelineId, document]);
  useEffect(() => {
    void run();
  }, [run]);

  return (
    <section className="biz-preview" aria-label="Preview" data-testid="preview">
      <header className="biz-preview-head">
        <h2>Preview</h2>
        <button type="button" onClick={() => void run()} disabled={busy}>
          {busy ? 'Running…' : 'Run again'}
        </button>
        {onClose ? (
          <button type="button" onClick={onClose}>
            Close
          </button>
        ) : null}
      </header>
      {busy && !result ? <p className="hint">Running the draft on the recorded events…</p> : null}
      {error ? (
        <div className="biz-problem error" role="alert">
          {error.message}
          {error.lines.length > 0 ? (
            <ul>
              {error.lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {result ? <PreviewReport result={result} document={document} /> : null}
      {result && canSaveCase ? (
        <SaveTestCase
          pipelineId={pipelineId}
          hint="The case keeps these input events; what the saved version sends from them is what it expects."
        />
      ) : null}
    </section>
  );
}

function previewError(err: unknown): { message: string; lines: string[] } {
  if (!(err instanceof ApiError)) return { message: String(err), lines: [] };
  if (err.code === 'no-recording')
    return {
      message: `Nothing to preview on yet: ${err.message}. Pin sample events on a source (open it in the graph), or let the deployed pipeline run for a while, then preview again.`,
      lines: [],
    };
  const lines = (err.body.error.details ?? []).map((d) => `${d.nodeId ?? 'document'}${d.path ? `: ${d.path}` : ''}: ${d.message}`);
  return { message: err.message, lines };
}

export const fmt = (v: unknown): string => {
  if (v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
};
export const fmtPct = (p: number | undefined): string =>
  p === undefined || !Number.isFinite(p) ? '' : `${p > 0 ? '+' : ''}${(Math.round(p * 10) / 10).toFixed(1)} %`;
const fmtDelta = (d: number | undefined): string => (d === undefined ? '' : `${d > 0 ? '+' : ''}${fmt(d)}`);

/** The report of one preview; pure, so it can be rendered and tested without a server. */
const ORIGIN: Record<SampleOrigin, string> = {
  recording: 'recorded',
  pinned: 'pinned',
  generator: 'generated',
  uploaded: 'uploaded',
};

export function PreviewReport({
  result,
  document,
}: {
  result: PreviewResult & { samples?: Record<string, SampleOrigin> };
  document?: PipelineDocument;
}) {
  const label = (id: string) => document?.nodes.find((n) => n.id === id)?.label ?? id;
  const { recording, live, outcomes } = result;
  const sources = Object.entries(recording.sources);
  // The server sends a count (the client's type says a list): take either.
  const events: unknown = recording.events;
  const count = typeof events === 'number' ? events : Array.isArray(events) ? events.length : sources.reduce((n, [, k]) => n + k, 0);
  // Where events came from, said when it is not the recording (a pinned sample, a generator's own).
  const recordedOnly = Object.values(result.samples ?? {}).every((o) => o === 'recording');
  const originOf = (s: string) => {
    const o = result.samples?.[s];
    return o && !recordedOnly ? ` ${ORIGIN[o]}` : '';
  };
  const share = outcomes.total > 0 ? Math.round((outcomes.changed / outcomes.total) * 1000) / 10 : 0;
  return (
    <div className="biz-preview-report">
      <p data-testid="preview-summary">
        Ran on <strong>{count}</strong> {recordedOnly ? 'recorded' : 'sample'} events
        {sources.length > 0 ? ` (${sources.map(([s, n]) => `${label(s)}: ${n}${originOf(s)}`).join(', ')})` : ''},{' '}
        {live.version === null ? 'against the stored version (nothing is deployed now)' : `against the live version v${live.version}`}.
      </p>
      <p className="biz-outcomes" data-testid="preview-outcomes">
        <strong>{outcomes.changed}</strong> of {outcomes.total} events change outcome ({share} %).
      </p>
      {Object.entries(result.diff).map(([sink, d]) => (
        <SinkReport key={sink} sink={sink} label={label(sink)} diff={d} />
      ))}
      {Object.keys(result.diff).length === 0 ? <p className="hint">No sink output to compare.</p> : null}
    </div>
  );
}

function SinkReport({ sink, label, diff }: { sink: string; label: string; diff: SinkDiff }) {
  // One field per chart (a price and a rule number on one scale would hide each other): the biggest mover's.
  const field = diff.biggestMoves[0]?.field;
  const chart = diff.biggestMoves.filter((m) => m.field === field).slice(0, 10);
  return (
    <section className="biz-sink" data-testid={`preview-sink-${sink}`}>
      <h3>
        {label} <small className="hint">by {diff.key.join(', ') || 'position'}</small>
      </h3>
      <ul className="biz-counts">
        <li data-testid={`preview-${sink}-unchanged`}>
          <strong>{diff.unchanged}</strong> unchanged
        </li>
        <li className={diff.changed > 0 ? 'biz-count-changed' : undefined} data-testid={`preview-${sink}-changed`}>
          <strong>{diff.changed}</strong> changed
        </li>
        <li data-testid={`preview-${sink}-added`}>
          <strong>{diff.added}</strong> added
        </li>
        <li data-testid={`preview-${sink}-removed`}>
          <strong>{diff.removed}</strong> removed
        </li>
      </ul>
      {chart.length > 0 ? (
        <>
          <h4>Biggest moves: {chart[0]!.field}</h4>
          <MovesChart moves={chart} />
        </>
      ) : null}
      {diff.rows.length > 0 ? (
        <table className="grid-table biz-diff-table">
          <thead>
            <tr>
              <th>key</th>
              <th>change</th>
              <th>field</th>
              <th>before</th>
              <th>after</th>
              <th>delta</th>
              <th>%</th>
            </tr>
          </thead>
          <tbody>
            {diff.rows.flatMap((r) =>
              r.fields.length === 0
                ? [
                    <tr key={`${r.key}`} className={`biz-change-${r.change}`}>
                      <td className="mono">{showKey(r.key)}</td>
                      <td>{r.change}</td>
                      <td colSpan={5} className="mono">
                        {fmt(r.after ?? r.before)}
                      </td>
                    </tr>,
                  ]
                : r.fields.map((f, i) => (
                    <tr key={`${r.key}\u0000${f.field}`} className={`biz-change-${r.change}${i > 0 ? ' biz-same-key' : ''}`}>
                      <td className="mono">{showKey(r.key)}</td>
                      <td>{r.change}</td>
                      <td>{f.field}</td>
                      <td className="num">{fmt(f.before)}</td>
                      <td className="num">{fmt(f.after)}</td>
                      <td className="num">{fmtDelta(f.delta)}</td>
                      <td className="num">{fmtPct(f.pct)}</td>
                    </tr>
                  )),
            )}
          </tbody>
        </table>
      ) : (
        <p className="hint">Nothing changes in {label}.</p>
      )}
    </section>
  );
}

/**
 * A row key as people read it: `sku="SKU-1", category="books", window_start=1767225900000` ->
 * `SKU-1 · books · 2026-01-01 00:05` (epoch milliseconds shown as UTC time).
 */
export function showKey(key: string): string {
  const parts = [...key.matchAll(/([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)];
  if (parts.length === 0) return key;
  return parts
    .map(([, , raw]) => {
      const v = raw!.startsWith('"') ? (JSON.parse(raw!) as string) : raw!;
      const n = Number(v);
      return !raw!.startsWith('"') && Number.isInteger(n) && n > 1e12 && n < 1e14
        ? new Date(n).toISOString().slice(0, 16).replace('T', ' ')
        : v;
    })
    .join(' · ');
}

const short = (s: string) => (s.length > 36 ? `${s.slice(0, 35)}…` : s);

/** Before (grey) and after (blue) per key, one pair of bars per move, on one shared scale with zero. */
export function MovesChart({ moves }: { moves: SinkDiff['biggestMoves'] }) {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const values = moves.flatMap((m) => [num(m.before), num(m.after)]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || 1;
  const left = 230;
  const width = 320;
  const rowH = 30;
  const x = (v: number) => left + ((v - lo) / span) * width;
  const height = moves.length * rowH + 20;
  return (
    <svg
      className="biz-chart"
      width={left + width + 220}
      height={height}
      role="img"
      aria-label="before and after, biggest moves"
      data-testid="preview-chart"
    >
      <line x1={x(0)} x2={x(0)} y1={0} y2={height - 16} stroke="var(--chart-before)" />
      {moves.map((m, i) => {
        const y = i * rowH + 4;
        const b = num(m.before);
        const a = num(m.after);
        return (
          <g key={`${m.key}\u0000${m.field}`}>
            <text x={left - 6} y={y + 16} textAnchor="end" fontSize="11">
              {short(showKey(m.key))}
            </text>
            <rect x={Math.min(x(0), x(b))} y={y} width={Math.max(1, Math.abs(x(b) - x(0)))} height={11} fill="var(--chart-before)">
              <title>{`before ${fmt(m.before)}`}</title>
            </rect>
            <rect x={Math.min(x(0), x(a))} y={y + 12} width={Math.max(1, Math.abs(x(a) - x(0)))} height={11} fill="var(--chart-after)">
              <title>{`after ${fmt(m.after)}`}</title>
            </rect>
            <text x={left + width + 6} y={y + 16} fontSize="11">
              {fmt(m.before)} → {fmt(m.after)} {fmtPct(m.pct)}
            </text>
          </g>
        );
      })}
      <text x={left} y={height - 4} fontSize="10" fill="var(--text-muted)">
        ■ before
      </text>
      <text x={left + 60} y={height - 4} fontSize="10" fill="var(--chart-after)">
        ■ after
      </text>
    </svg>
  );
}
