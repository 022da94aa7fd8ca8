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
    this.out.write(`\r\x1b[2K${formatProgress(rate, progressCounts(this.doc, m), terminalWidth(this.out))}`);
  }
}

/** A node on the progress line: what it passed on, or for a sink what it was given to write. */
export interface ProgressCount {
  id: string;
  count: number;
  errors: number;
}

export function progressCounts(doc: PipelineDocument, m: PipelineMetrics): ProgressCount[] {
  return doc.nodes.map((n) => {
    const c = m.nodes[n.id];
    const sink = nodeDefinitions.get(n.type)?.category === 'sink';
    return { id: n.id, count: (sink ? c?.in : c?.out) ?? 0, errors: c?.errors ?? 0 };
  });
}

/** The terminal's width: stdout's, else the progress stream's (stdout may be a pipe), else 80. */
function terminalWidth(stream: NodeJS.WriteStream): number {
  return process.stdout.columns || stream.columns || 80;
}

/** Shortest node id kept when ids are shortened to fit. */
const MIN_ID = 4;

/**
 * `1.2k ev/s  src 5000 | big 3000 (12 err) | out 3000`, fitted into `width - 1` columns (the
 * last column would wrap on some terminals): first the separators go, then long ids are
 * shortened, then the last nodes that still do not fit are counted as `+N`.
 */
export function formatProgress(rate: number, nodes: readonly ProgressCount[], width: number): string {
  const max = Math.max(1, width - 1);
  const head = `${compact(rate)} ev/s`;
  const part = (n: ProgressCount, idChars: number) =>
    `${clipId(n.id, idChars)} ${compact(n.count)}${n.errors > 0 ? ` (${compact(n.errors)} err)` : ''}`;
  const line = (idChars: number, sep: string, shown = nodes.length) => {
    const parts = nodes.slice(0, shown).map((n) => part(n, idChars));
    if (shown < nodes.length) parts.push(`+${nodes.length - shown}`);
    return `${head}  ${parts.join(sep)}`;
  };
  const longest = Math.max(MIN_ID, ...nodes.map((n) => n.id.length));
  if (line(longest, ' | ').length <= max) return line(longest, ' | ');
  for (let shown = nodes.length; shown >= 0; shown--)
    for (let idChars = longest; idChars >= MIN_ID; idChars--)
      if (line(idChars, '  ', shown).length <= max) return line(idChars, '  ', shown);
  return head.slice(0, max);
}

function clipId(id: string, chars: number): string {
  return id.length <= chars ? id : `${id.slice(0, chars - 1)}…`;
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
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const secs = (m.at - m.startedAt) / 1000;
  const events = sourceEvents(doc, m);
  const tail = `${m.status} in ${secs.toFixed(2)}s, ${events} source events (${Math.round(events / Math.max(secs, 1e-3))} ev/s)`;
  return `${[fmt(header), ...rows.map(fmt)].join('\n')}\n${tail}\n`;
}
