/** The graph's structure: ids, types, edges and their ports, cycles, direction, reachability. */
import type { Diagnostic } from '../diagnostic.js';
import { type PipelineDocument, sourcePortOf, targetPortOf } from './document.js';
import type { NodeTypeInfo, NodeTypeRegistry } from './node-type.js';

const err = (code: string, message: string, extra: Partial<Diagnostic>): Diagnostic => ({ severity: 'error', code, message, ...extra });
const warn = (code: string, message: string, extra: Partial<Diagnostic>): Diagnostic => ({ severity: 'warning', code, message, ...extra });

export function isSourceType(def: NodeTypeInfo): boolean {
  return def.category === 'source' || def.inputs.length === 0;
}

/** Output ports of a node for its config (raw config when it does not parse: best effort). */
export function outputPorts(def: NodeTypeInfo, config: unknown): string[] | undefined {
  const parsed = def.config.safeParse(config);
  try {
    return def.outputs((parsed.success ? parsed.data : config) as never).map((p) => p.name);
  } catch {
    return undefined;
  }
}

export function validateGraph(doc: PipelineDocument, registry: NodeTypeRegistry): { diagnostics: Diagnostic[]; order: string[] } {
  const out: Diagnostic[] = [];
  const defs = new Map<string, NodeTypeInfo>();
  const seenNodes = new Set<string>();
  for (const [i, n] of doc.nodes.entries()) {
    if (seenNodes.has(n.id)) out.push(err('duplicate-node-id', `two nodes have the id "${n.id}"`, { nodeId: n.id, path: `nodes[${i}].id` }));
    seenNodes.add(n.id);
    const def = registry.get(n.type);
    if (!def) out.push(err('unknown-node-type', unknownTypeMessage(n.type, registry.types()), { nodeId: n.id, path: 'type' }));
    else if (!defs.has(n.id)) defs.set(n.id, def);
  }
  const seenEdges = new Set<string>();
  const good: typeof doc.edges = [];
  for (const [i, e] of doc.edges.entries()) {
    if (seenEdges.has(e.id)) out.push(err('duplicate-edge-id', `two edges have the id "${e.id}"`, { edgeId: e.id, path: `edges[${i}].id` }));
    seenEdges.add(e.id);
    let ok = true;
    for (const end of ['source', 'target'] as const) {
      if (!seenNodes.has(e[end])) {
        out.push(err('missing-node', `${end} "${e[end]}" is not a node of this document`, { edgeId: e.id, path: end }));
        ok = false;
      }
    }
    if (!ok) continue;
    const from = doc.nodes.find((n) => n.id === e.source)!;
    const fromDef = defs.get(e.source);
    const toDef = defs.get(e.target);
    if (fromDef) {
      const ports = outputPorts(fromDef, from.config);
      if (ports && ports.length === 0) {
        out.push(err('sink-has-output', `"${e.source}" is a ${fromDef.type} (a sink): nothing can leave it`, { edgeId: e.id, path: 'source' }));
        ok = false;
      } else if (ports && !ports.includes(sourcePortOf(e))) {
        out.push(err('missing-port', `"${e.source}" (${fromDef.type}) has no output port "${sourcePortOf(e)}" (ports: ${ports.join(', ')})`, { edgeId: e.id, path: 'sourcePort' }));
        ok = false;
      }
    }
    if (toDef) {
      if (isSourceType(toDef)) {
        out.push(err('source-has-input', `"${e.target}" is a ${toDef.type} (a source): nothing can flow into it`, { edgeId: e.id, path: 'target' }));
        ok = false;
      } else if (!toDef.inputs.some((p) => p.name === targetPortOf(e))) {
        out.push(err('missing-port', `"${e.target}" (${toDef.type}) has no input port "${targetPortOf(e)}" (ports: ${toDef.inputs.map((p) => p.name).join(', ')})`, { edgeId: e.id, path: 'targetPort' }));
        ok = false;
      }
    }
    if (ok) good.push(e);
  }
  const { order, cycle } = topological([...seenNodes], good);
  if (cycle.length > 0) {
    out.push(err('cycle', `the graph has a cycle through ${cycle.map((id) => `"${id}"`).join(' -> ')}; pipelines must be acyclic`, { nodeId: cycle[0]! }));
  }
  out.push(...reachability(doc, defs, good));
  return { diagnostics: out, order };
}

function topological(ids: string[], edges: { source: string; target: string }[]): { order: string[]; cycle: string[] } {
  const indegree = new Map(ids.map((id) => [id, 0]));
  const next = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    indegree.set(e.target, indegree.get(e.target)! + 1);
    next.get(e.source)!.push(e.target);
  }
  const queue = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const t of next.get(id)!) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) queue.push(t);
    }
  }
  if (order.length === ids.length) return { order, cycle: [] };
  // Walk from any node left over until a node repeats: that loop is a cycle.
  const left = new Set(ids.filter((id) => !order.includes(id)));
  // Drop nodes merely downstream of a cycle (no successor left): what remains is on cycles.
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of left) {
      if (!next.get(id)!.some((t) => left.has(t))) {
        left.delete(id);
        changed = true;
      }
    }
  }
  const path: string[] = [];
  let at = [...left][0]!;
  while (!path.includes(at)) {
    path.push(at);
    at = next.get(at)!.find((t) => left.has(t))!;
  }
  return { order, cycle: [...path.slice(path.indexOf(at)), at] };
}

function reachability(doc: PipelineDocument, defs: Map<string, NodeTypeInfo>, edges: { source: string; target: string }[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const reached = new Set<string>();
  const stack = doc.nodes.filter((n) => defs.get(n.id) && isSourceType(defs.get(n.id)!)).map((n) => n.id);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const e of edges) if (e.source === id) stack.push(e.target);
  }
  for (const n of doc.nodes) {
    const def = defs.get(n.id);
    if (!def || isSourceType(def)) continue;
    if (!edges.some((e) => e.target === n.id)) out.push(warn('unconnected-input', 'has no input: it will never receive an event', { nodeId: n.id }));
    else if (!reached.has(n.id)) out.push(warn('unreachable', 'no source reaches this node', { nodeId: n.id }));
  }
  return out;
}

function unknownTypeMessage(type: string, known: readonly string[]): string {
  const close = known.map((k) => [k, distance(k, type)] as const).sort((a, b) => a[1] - b[1])[0];
  const hint = close && close[1] <= Math.max(2, type.length / 3) ? `; did you mean "${close[0]}"?` : '';
  return `unknown node type "${type}"${hint} (known: ${[...known].sort().join(', ')})`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}
