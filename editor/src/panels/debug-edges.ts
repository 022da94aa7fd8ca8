/** Which edges the debug panel taps: into console sinks, out of error ports, and around one node. */
import type { PipelineDocument } from '@sluice/shared';

export interface TappedEdge {
  edgeId: string;
  /** What the panel calls it: "filter1 → console1", "filter1 (error)". */
  title: string;
  /** A console sink's prefix, written before each line as the sink does. */
  prefix?: string;
}

const nameOf = (doc: PipelineDocument, id: string): string => doc.nodes.find((n) => n.id === id)?.label || id;

export function edgeTitle(doc: PipelineDocument, edgeId: string): string {
  const e = doc.edges.find((x) => x.id === edgeId);
  if (!e) return edgeId;
  const port = e.sourcePort && e.sourcePort !== 'out' ? ` (${e.sourcePort})` : '';
  return `${nameOf(doc, e.source)}${port} → ${nameOf(doc, e.target)}`;
}

/** Edges into a console sink: what the sink prints is what crosses them. */
export function consoleEdges(doc: PipelineDocument): TappedEdge[] {
  return doc.edges
    .filter((e) => doc.nodes.find((n) => n.id === e.target)?.type === 'sink.console')
    .map((e) => {
      const sink = doc.nodes.find((n) => n.id === e.target)!;
      const prefix = (sink.config as { prefix?: unknown }).prefix;
      return { edgeId: e.id, title: nameOf(doc, sink.id), ...(typeof prefix === 'string' ? { prefix } : {}) };
    });
}

/** Edges out of an error port: the events a node could not process, each with its `_error`. */
export function errorEdges(doc: PipelineDocument): TappedEdge[] {
  return doc.edges.filter((e) => e.sourcePort === 'error').map((e) => ({ edgeId: e.id, title: `${nameOf(doc, e.source)} (error)` }));
}

export function nodeEdges(doc: PipelineDocument, nodeId: string): { inputs: TappedEdge[]; outputs: TappedEdge[] } {
  const t = (id: string) => ({ edgeId: id, title: edgeTitle(doc, id) });
  return {
    inputs: doc.edges.filter((e) => e.target === nodeId).map((e) => t(e.id)),
    outputs: doc.edges.filter((e) => e.source === nodeId).map((e) => t(e.id)),
  };
}

const TIME_KEY = /(^ts$|time$|Time$|_at$|At$|^timestamp$|^window_(start|end)$)/;

/**
 * One event as a line: JSON, with epoch-millisecond times under time-like names shown as ISO
 * times (a tap of raw `1767225600000`s says little to a reader).
 */
export function eventLine(e: Record<string, unknown>): string {
  return JSON.stringify(e, (k, v) => (typeof v === 'number' && TIME_KEY.test(k) && v > 1e11 && v < 1e14 ? new Date(v).toISOString() : v));
}
