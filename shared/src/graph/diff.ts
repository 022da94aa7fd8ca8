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
  // `edges` defaults to [] (graph-format.md): a stored document may leave it out.
  const aEdges = new Set((a.edges ?? []).map(edgeKey));
  const bEdges = new Set((b.edges ?? []).map(edgeKey));
  const edges = { added: [...bEdges].filter((k) => !aEdges.has(k)), removed: [...aEdges].filter((k) => !bEdges.has(k)) };
  const summary = [
    ...document.map((p) => `${p.path} ${show(p.from)} -> ${show(p.to)}`),
    ...params.map((p) => `${p.path} ${show(p.from)} -> ${show(p.to)}`),
    ...added.map((id) => `node ${id} added (${bNodes.get(id)!.type})`),
    ...removed.map((id) => `node ${id} removed`),
    ...changed.flatMap((c) => nodeSummary(c.id, aNodes.get(c.id)!, bNodes.get(c.id)!, c.changes)),
    ...edges.added.map((e) => `edge ${e} added`),
    ...edges.removed.map((e) => `edge ${e} removed`),
  ];
  return { document, params, nodes: { added, removed, changed }, edges, summary };
}

const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

type Node = PipelineDocument['nodes'][number];

/** One line per change; a rules table's rows are compared as rows ("row 3 adjust_pct 5 -> 8"). */
function nodeSummary(id: string, a: Node, b: Node, changes: ValueChange[]): string[] {
  const label = b.label ? `${b.label} (${id})` : id;
  const rowsOf = (n: Node) =>
    n.type === 'rules' && Array.isArray((n.config as { rows?: unknown }).rows)
      ? ((n.config as { rows: unknown[] }).rows as unknown[])
      : undefined;
  const [ra, rb] = [rowsOf(a), rowsOf(b)];
  const lines = changes
    .filter((x) => !(ra && rb && x.path.startsWith('config.rows')))
    .map((x) => `${label}: ${x.path} ${show(x.from)} -> ${show(x.to)}`);
  if (ra && rb) lines.push(...rowLines(label, ra, rb));
  return lines;
}

type Condition = { op?: string; value?: unknown; expression?: string };
type RowShape = { when?: Record<string, Condition>; then?: Record<string, unknown> };

/** `demand > 20`, `demand: any`, an expression as written, `demand: (none)` for a column a row leaves out. */
function describeCondition(col: string, c: Condition | undefined): string {
  if (!c) return `${col}: (none)`;
  if (c.op === 'any') return `${col}: any`;
  if (c.op === 'expr') return String(c.expression);
  return `${col} ${c.op} ${show(c.value)}`;
}

function describeRow(row: unknown): string {
  const r = (row ?? {}) as RowShape;
  const when = Object.entries(r.when ?? {})
    .filter(([, c]) => c?.op !== 'any')
    .map(([k, c]) => describeCondition(k, c));
  const then = Object.entries(r.then ?? {}).map(
    ([k, v]) => `${k} ${v !== null && typeof v === 'object' && 'expr' in v ? `= ${(v as { expr: unknown }).expr}` : show(v)}`,
  );
  return `${when.length > 0 ? when.join(' and ') : 'always'} -> ${then.join(', ')}`;
}

/** Rows kept as they were (even if moved) are not reported; the others pair up in order. */
function rowLines(label: string, a: unknown[], b: unknown[]): string[] {
  const keyA = a.map((r) => JSON.stringify(r));
  const keyB = b.map((r) => JSON.stringify(r));
  const unmatchedA = new Set(a.keys());
  const unmatchedB: number[] = [];
  keyB.forEach((k, j) => {
    const i = keyA.findIndex((x, i) => x === k && unmatchedA.has(i));
    if (i >= 0) unmatchedA.delete(i);
    else unmatchedB.push(j);
  });
  const restA = [...unmatchedA];
  const lines: string[] = [];
  const n = Math.min(restA.length, unmatchedB.length);
  for (let k = 0; k < n; k++) {
    const ra = (a[restA[k]!] ?? {}) as RowShape;
    const rb = (b[unmatchedB[k]!] ?? {}) as RowShape;
    const where = `row ${unmatchedB[k]! + 1}`;
    // A changed condition is told whole, operator included ("when demand > 20 -> demand >= 30"):
    // the value alone would hide an operator changed with it, or alone.
    for (const col of new Set([...Object.keys(ra.when ?? {}), ...Object.keys(rb.when ?? {})])) {
      const [ca, cb] = [ra.when?.[col], rb.when?.[col]];
      if (JSON.stringify(ca) !== JSON.stringify(cb))
        lines.push(`${label}: ${where} when ${describeCondition(col, ca)} -> ${describeCondition(col, cb)}`);
    }
    const changes: ValueChange[] = [];
    walk({ ...ra, when: undefined }, { ...rb, when: undefined }, '', changes);
    for (const c of changes) {
      const path = c.path.replace(/^\.then\./, '').replace(/^\./, '');
      lines.push(`${label}: ${where} ${path} ${show(c.from)} -> ${show(c.to)}`);
    }
  }
  for (const j of unmatchedB.slice(n)) lines.push(`${label}: row ${j + 1} added (${describeRow(b[j])})`);
  for (const i of restA.slice(n)) lines.push(`${label}: row ${i + 1} removed (${describeRow(a[i])})`);
  if (lines.length === 0 && keyA.join('\n') !== keyB.join('\n')) lines.push(`${label}: rows reordered`);
  return lines;
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
