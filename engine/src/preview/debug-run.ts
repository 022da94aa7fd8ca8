/**
 * A preview run for the debug panel and a node's "Run to here": the draft on the sample events
 * (docs/preview.md), every sink captured, and what crossed each edge kept: a count and the last
 * events. The editor reads the console sinks' lines, the error ports' events (with `_error`)
 * and a node's last inputs and outputs from it, as it reads taps on a live run. With `until`,
 * only that node and what feeds it run, and its output ports are captured.
 */
import { type Diagnostic, type Event, hasErrors, type ParamValue, type PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { compilePipeline } from '../compile/compile-pipeline.js';
import type { RecordedEvent } from '../recording/recorded-event.js';
import { PreviewError } from './preview.js';
import { runOnEvents } from './run-on-events.js';

/** Events kept per edge (the last ones), and on a console sink's or an error port's edge. */
export const EDGE_EVENTS = 20;
export const CONSOLE_EVENTS = 200;
/** Edge ids of the captures "Run to here" adds: `run-to--<n>` (edge ids allow letters, digits, _ and -). */
export const RUN_TO_PREFIX = 'run-to--';

export interface EdgeSample {
  /** Events that crossed the edge. */
  count: number;
  /** The last of them, oldest first. */
  events: Record<string, unknown>[];
}

export interface DebugRunResult {
  status: string;
  error?: string;
  /** Errors counted per node. */
  errors: Record<string, number>;
  edges: Record<string, EdgeSample>;
  /** With `until`: what the node sent out of each output port. */
  until?: { nodeId: string; ports: Record<string, EdgeSample> };
}

/** The node and every node upstream of it, with the edges between them. */
function upstreamOf(document: PipelineDocument, nodeId: string): PipelineDocument {
  const keep = new Set([nodeId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of document.edges)
      if (keep.has(e.target) && !keep.has(e.source)) {
        keep.add(e.source);
        grew = true;
      }
  }
  return {
    ...document,
    nodes: document.nodes.filter((n) => keep.has(n.id)),
    edges: document.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
  };
}

/** A capture sink on each output port of `nodeId` (a sink's own input is captured as it is). */
function withCaptures(document: PipelineDocument, nodeId: string): { document: PipelineDocument; ports: { port: string; edge: string }[] } {
  const node = document.nodes.find((n) => n.id === nodeId)!;
  const def = nodeDefinitions.get(node.type);
  if (!def || def.category === 'sink') return { document, ports: [] };
  const parsed = def.config.safeParse(node.config);
  const ports = parsed.success ? def.outputs(parsed.data).map((p) => p.name) : ['out'];
  const taken = new Set(document.nodes.map((n) => n.id));
  const sinks = ports.map((port, i) => {
    let id = `run_to_${i}`;
    while (taken.has(id)) id = `_${id}`;
    return { id, port, edge: `${RUN_TO_PREFIX}${i}` };
  });
  return {
    document: {
      ...document,
      nodes: [...document.nodes, ...sinks.map((s) => ({ id: s.id, type: 'sink.console', config: {} }))],
      edges: [...document.edges, ...sinks.map((s) => ({ id: s.edge, source: nodeId, sourcePort: s.port, target: s.id }))],
    } as PipelineDocument,
    ports: sinks,
  };
}

export async function debugRun(o: {
  document: unknown;
  params?: Record<string, unknown>;
  events: Record<string, readonly RecordedEvent[]>;
  baseDir: string;
  until?: string;
  /** Applied to every event shown (docs/privacy.md). */
  mask: (e: Event) => Event;
  policy?: (document: PipelineDocument) => Diagnostic[];
}): Promise<DebugRunResult> {
  const { document: compiledDoc, diagnostics } = compilePipeline(o.document, o.params ?? {});
  const problems = compiledDoc && o.policy ? [...diagnostics, ...o.policy(compiledDoc)] : diagnostics;
  if (!compiledDoc || hasErrors(problems)) throw new PreviewError('invalid-document', 'the draft is invalid; fix it to run it', problems);
  if (o.until !== undefined && !compiledDoc.nodes.some((n) => n.id === o.until))
    throw new PreviewError('invalid-document', `the document has no node "${o.until}"`);
  const total = Object.values(o.events).reduce((n, l) => n + l.length, 0);
  if (total === 0)
    throw new PreviewError(
      'no-recording',
      'no events to run on: nothing is recorded or pinned for the sources (pin a sample on a source, or deploy and let it run)',
    );
  let doc = compiledDoc;
  let ports: { port: string; edge: string }[] = [];
  if (o.until !== undefined) ({ document: doc, ports } = withCaptures(upstreamOf(compiledDoc, o.until), o.until));

  const params = Object.fromEntries(Object.entries(doc.params ?? {}).map(([k, p]) => [k, p.value])) as Record<string, ParamValue>;
  const consoleLike = new Set(
    doc.edges.filter((e) => e.sourcePort === 'error' || doc.nodes.find((n) => n.id === e.target)?.type === 'sink.console').map((e) => e.id),
  );
  const edges: Record<string, EdgeSample> = {};
  for (const e of doc.edges) edges[e.id] = { count: 0, events: [] };
  const run = await runOnEvents(doc, params, o.events, o.baseDir, undefined, {
    edges: doc.edges.map((e) => e.id),
    onEvents(edgeId, batch) {
      const sample = edges[edgeId]!;
      sample.count += batch.length;
      const keep = edgeId.startsWith(RUN_TO_PREFIX) || consoleLike.has(edgeId) ? CONSOLE_EVENTS : EDGE_EVENTS;
      // Copies, masked: the run changes owned batches in place after this returns.
      for (const e of batch.slice(-keep)) sample.events.push(o.mask({ ...e }) as Record<string, unknown>);
      if (sample.events.length > keep) sample.events.splice(0, sample.events.length - keep);
    },
  });
  const result: DebugRunResult = {
    status: run.status,
    ...(run.error ? { error: run.error } : {}),
    errors: run.errors,
    edges: Object.fromEntries(Object.entries(edges).filter(([id]) => !id.startsWith(RUN_TO_PREFIX))),
  };
  if (o.until !== undefined) {
    const out: Record<string, EdgeSample> = {};
    if (ports.length === 0) {
      // A sink: what reached it is what it would write.
      const captured = (run.outputs[o.until] ?? []).map((e) => o.mask({ ...e }) as Record<string, unknown>);
      out.in = { count: captured.length, events: captured.slice(-CONSOLE_EVENTS) };
    } else for (const p of ports) out[p.port] = edges[p.edge]!;
    result.until = { nodeId: o.until, ports: out };
  }
  return result;
}
