/** The live one-line progress display (terminal) and the plain end-of-run summary. */
import type { PipelineDocument, PipelineMetrics } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';

export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private last = { at: 0, events: 0 };

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly read: () => PipelineMetrics,
    private readonly doc: PipelineDocument,
  ) {}

  start(): void {
    this.last = { at: performance.now(), events: 0 };
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.out.write('\r\x1b[2K');
  }

  private draw(): void {
    const m = this.read();
    const events = sourceEvents(this.doc, m);
    const now = performance.now();
    const rate = ((events - this.last.events) * 1000) / Math.max(1, now - this.last.at);
    this.last = { at: now, events };
    const nodes = this.doc.nodes.map((n) => `${n.id} ${compact(m.nodes[n.id]?.out ?? 0)}`).join(' | ');
    const line = `${compact(rate)} ev/s  ${nodes}`;
    const width = this.out.columns ?? 120;
    this.out.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
  }
}

function sourceEvents(doc: PipelineDocument, m: PipelineMetrics): number {
  let n = 0;
  for (const node of doc.nodes) if (nodeDefinitions.get(node.type)?.category === 'source') n += m.nodes[node.id]?.out ?? 0;
  return n;
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Per-node counts, one line per node, aligned: what `sluice run` prints at the end. */
export function formatSummary(doc: PipelineDocument, m: PipelineMetrics): string {
  const header = ['node', 'type', 'in', 'out', 'errors', 'late', 'dropped'];
  const rows = doc.nodes.map((n) => {
    const c = m.nodes[n.id];
    return [n.id, n.type, c?.in ?? 0, c?.out ?? 0, c?.errors ?? 0, c?.late ?? 0, c?.dropped ?? 0].map(String);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const secs = (m.at - m.startedAt) / 1000;
  const events = sourceEvents(doc, m);
  const tail = `${m.status} in ${secs.toFixed(2)}s, ${events} source events (${Math.round(events / Math.max(secs, 1e-3))} ev/s)`;
  return `${[fmt(header), ...rows.map(fmt)].join('\n')}\n${tail}\n`;
}
