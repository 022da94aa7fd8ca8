/**
 * Why a run counted errors: per node with errors, its first distinct messages with their counts,
 * and how many errors had other messages. Printed by `sluice run` after the summary.
 */
import type { PipelineDocument, PipelineMetrics } from '@sluice/shared';
import type { ErrorSample } from '../metrics/error-samples.js';
import { redact } from '../secrets/redact.js';

export function formatErrorReport(doc: PipelineDocument, m: PipelineMetrics, samples: Record<string, ErrorSample[]> = {}): string {
  const blocks: string[] = [];
  for (const node of doc.nodes) {
    const errors = m.nodes[node.id]?.errors ?? 0;
    if (errors === 0) continue;
    // Most frequent first; ties by text, so the report does not depend on which partition saw an error first.
    const shown = [...(samples[node.id] ?? [])].sort(
      (a, b) => b.count - a.count || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
    );
    const rest = errors - shown.reduce((n, s) => n + s.count, 0);
    const rows: [number, string][] = shown.map((s) => [s.count, redact(s.message)]);
    if (rest > 0) rows.push([rest, shown.length > 0 ? 'with other messages' : 'messages not kept']);
    const width = Math.max(...rows.map(([n]) => String(n).length));
    blocks.push(
      [
        `${node.id}: ${errors} error${errors === 1 ? '' : 's'}`,
        ...rows.map(([n, text]) => `  ${String(n).padStart(width)} × ${text}`),
      ].join('\n'),
    );
  }
  return blocks.length > 0 ? `${blocks.join('\n')}\n` : '';
}
