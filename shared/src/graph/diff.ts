/**
 * A human-readable difference between two versions of a document: params changed, nodes and
 * edges added or removed, config values changed (with their paths). Positions are ignored:
 * they never change what runs.
 */
import type { PipelineDocument } from './document.js';

export interface ValueChange {
  path: string;
  from: unknown;
  to: unknown;
}

export interface DocumentDiff {
  /** name, description */
  document: ValueChange[];
  params: ValueChange[];
  nodes: { added: string[]; removed: string[]; changed: { id: string; changes: ValueChange[] }[] };
  edges: { added: string[]; removed: string[] };
  /** One line per change, e.g. `surge_threshold 50 -> 60`. */
  summary: string[];
}

export function diffDocuments(a: PipelineDocument, b: PipelineDocument): DocumentDiff {
  const document: ValueChange[] = [];
  for (const k of ['name', 'description'] as const) if ((a[k] ?? '') !== (b[k] ?? '')) document.push({ path: k, from: a[k], to: b[k] });
  const params: ValueChange[] = [];
  const names = new Set([...Object.keys(a.params ?? {}), ...Object.keys(b.params ?? {})]);
  for (const name of names) {
    const from = a.params?.[name]?.value;
    const to = b.params?.[name]?.value;
    if (JSON.stringify(from) !== JSON.stringify(to)) params.push({ path: name, from, to });
  }
  const aNodes = new Map(a.nodes.map((n) => [n.id, n]));
  const bNodes = new Map(b.nodes.map((n) => [n.id, n]));
  const added = [...bNodes.keys()].filter((id) => !aNodes.has(id));
  const removed = [...aNodes.keys()].filter((id) => !bNodes.has(id));
  const changed: DocumentDiff['nodes']['changed'] = [];
  for (const [id, nb] of bNodes) {
    const na = aNodes.get(id);
    if (!na) continue;
    const changes: ValueChange[] = [];
    if (na.type !== nb.type) changes.push({ path: 'type', from: na.type, to: nb.type });
    if ((na.label ?? '') !== (nb.label ?? '')) changes.push({ path: 'label', from: na.label, to: nb.label });
    walk(na.config, nb.config, 'config', changes);
    if (changes.length > 0) changed.push({ id, changes });
  }
  const edgeKey = (e: PipelineDocument['edges'][number]) => `${e.source}.${e.sourcePort ?? 'out'} -> ${e.target}.${e.targetPort ?? 'in'}`;
  const aEdges = new Set(a.edges.map(edgeKey));
  const bEdges = new Set(b.edges.map(edgeKey));
  const edges = { added: [...bEdges].filter((k) => !aEdges.has(k)), removed: [...aEdges].filter((k) => !bEdges.has(k)) };
  const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
  const summary = [
    ...document.map((p) => `${p.path} ${show(p.from)} -> ${show(p.to)}`),
    ...params.map((p) => `${p.path} ${show(p.from)} -> ${show(p.to)}`),
    ...added.map((id) => `node ${id} added (${bNodes.get(id)!.type})`),
    ...removed.map((id) => `node ${id} removed`),
    ...changed.flatMap((c) => c.changes.map((x) => `${c.id}: ${x.path} ${show(x.from)} -> ${show(x.to)}`)),
    ...edges.added.map((e) => `edge ${e} added`),
    ...edges.removed.map((e) => `edge ${e} removed`),
  ];
  return { document, params, nodes: { added, removed, changed }, edges, summary };
}

function walk(a: unknown, b: unknown, path: string, out: ValueChange[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) {
    out.push({ path, from: a, to: b });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
}
