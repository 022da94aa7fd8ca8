/**
 * The graph's structure: node ids and types, edges and their ports, direction (nothing into a
 * source, nothing out of a sink), cycles, then reachability warnings. Ports come from each
 * type's definition (a branch's outputs from its config): nobody here knows a type by name.
 */
import type { Diagnostic } from '../diagnostic.js';
import { distance } from './did-you-mean.js';
import { type EdgeSpec, type PipelineDocument, sourcePortOf, targetPortOf } from './document.js';
import { findCycles, reachable, successors, topologicalOrder } from './graph-walk.js';
import type { NodeTypeInfo, NodeTypeRegistry } from './node-type.js';

export interface GraphOptions {
  /** Ids of nodes present but unreadable: edges naming them are not checked. */
  unreadableNodeIds?: ReadonlySet<string>;
  /** False when parts of the document were unreadable: reachability would only mislead then. */
  warnings?: boolean;
}

export interface GraphResult {
  diagnostics: Diagnostic[];
  /** Node ids in topological order, then those on or after a cycle (document order). */
  order: string[];
  /** Edges between existing nodes and ports: what schema inference follows. */
  edges: EdgeSpec[];
}

const err = (code: string, message: string, extra: Partial<Diagnostic>): Diagnostic => ({ severity: 'error', code, message, ...extra });
const warn = (code: string, message: string, extra: Partial<Diagnostic>): Diagnostic => ({ severity: 'warning', code, message, ...extra });

export function isSourceType(def: NodeTypeInfo): boolean {
  return def.category === 'source' || def.inputs.length === 0;
}

/** Output port names of a node for its config (the registry's definitions take the raw config when it does not parse: best effort). */
export function outputPorts(def: NodeTypeInfo, config: unknown): string[] | undefined {
  try {
    return def.outputs(config).map((p) => p.name);
  } catch {
    return undefined;
  }
}

/** `parallelism` and `placement` belong on sources, and parallelism above 1 on a source type that splits. */
function splitProblems(
  id: string,
  type: string,
  def: NodeTypeInfo,
  config: unknown,
  parallelism: number | undefined,
  placed: boolean,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const source = isSourceType(def);
  if (parallelism !== undefined && !source)
    out.push(
      err('parallelism-not-source', `node "${id}" (${type}) is not a source: parallelism applies to source nodes only`, {
        nodeId: id,
        path: 'parallelism',
      }),
    );
  else if (parallelism !== undefined && parallelism > 1 && !def.split)
    out.push(
      err('source-does-not-split', `node "${id}": ${type} does not split, so its parallelism must be 1 (got ${parallelism})`, {
        nodeId: id,
        path: 'parallelism',
      }),
    );
  else if (parallelism !== undefined && parallelism > 1 && def.split?.check) {
    let why: string | undefined;
    try {
      why = def.split.check(config, parallelism);
    } catch {
      why = undefined; // a config that does not parse has its own diagnostics
    }
    if (why !== undefined) out.push(err('source-does-not-split', `node "${id}": ${why}`, { nodeId: id, path: 'parallelism' }));
  }
  if (placed && !source)
    out.push(
      err('placement-not-source', `node "${id}" (${type}) is not a source: placement pins source partitions only`, {
        nodeId: id,
        path: 'placement',
      }),
    );
  return out;
}

export function validateGraph(doc: PipelineDocument, registry: NodeTypeRegistry, options: GraphOptions = {}): GraphResult {
  const out: Diagnostic[] = [];
  const unreadable = options.unreadableNodeIds ?? new Set<string>();
  const defs = new Map<string, NodeTypeInfo>();
  const ids: string[] = [];
  const configs = new Map<string, unknown>();
  for (const [i, n] of doc.nodes.entries()) {
    // A later copy of an id is still checked (every error at once); its id names the first copy,
    // so its diagnostics point at it by index.
    const copy = configs.has(n.id);
    if (copy) out.push(err('duplicate-node-id', `two nodes have the id "${n.id}"`, { nodeId: n.id, path: `nodes[${i}].id` }));
    const def = registry.get(n.type);
    if (!def)
      out.push(
        err('unknown-node-type', unknownTypeMessage(n.type, registry.types()), { nodeId: n.id, path: copy ? `nodes[${i}].type` : 'type' }),
      );
    if (copy) continue;
    ids.push(n.id);
    configs.set(n.id, n.config);
    if (def) defs.set(n.id, def);
    if (def) out.push(...splitProblems(n.id, n.type, def, n.config, n.parallelism, n.placement !== undefined));
  }

  const outputs = new Map<string, string[] | undefined>();
  const portsOut = (id: string, def: NodeTypeInfo) => {
    if (!outputs.has(id)) outputs.set(id, outputPorts(def, configs.get(id)));
    return outputs.get(id);
  };
  const seenEdges = new Set<string>();
  const good: EdgeSpec[] = [];
  for (const [i, e] of doc.edges.entries()) {
    if (seenEdges.has(e.id))
      out.push(err('duplicate-edge-id', `two edges have the id "${e.id}"`, { edgeId: e.id, path: `edges[${i}].id` }));
    seenEdges.add(e.id);
    if (unreadable.has(e.source) || unreadable.has(e.target)) continue;
    let ok = true;
    for (const end of ['source', 'target'] as const) {
      if (configs.has(e[end])) continue;
      out.push(err('missing-node', `${end} "${e[end]}" is not a node of this document`, { edgeId: e.id, path: end }));
      ok = false;
    }
    if (!ok) continue;
    const from = defs.get(e.source);
    const to = defs.get(e.target);
    if (from) {
      const ports = portsOut(e.source, from);
      // A sink may declare output ports (sink.http's `error`); the core sinks declare none.
      if (ports?.length === 0 || (from.category === 'sink' && ports === undefined)) {
        out.push(
          err('sink-has-output', `"${e.source}" is a ${from.type} (a sink): no edge can leave it`, { edgeId: e.id, path: 'source' }),
        );
        ok = false;
      } else if (ports && !ports.includes(sourcePortOf(e))) {
        const message = `"${e.source}" (${from.type}) has no output port "${sourcePortOf(e)}" (ports: ${ports.join(', ')})`;
        out.push(err('missing-port', message, { edgeId: e.id, path: 'sourcePort' }));
        ok = false;
      }
    }
    if (to) {
      if (isSourceType(to)) {
        out.push(
          err('source-has-input', `"${e.target}" is a ${to.type} (a source): no edge can enter it`, { edgeId: e.id, path: 'target' }),
        );
        ok = false;
      } else if (!to.inputs.some((p) => p.name === targetPortOf(e))) {
        const message = `"${e.target}" (${to.type}) has no input port "${targetPortOf(e)}" (ports: ${to.inputs.map((p) => p.name).join(', ')})`;
        out.push(err('missing-port', message, { edgeId: e.id, path: 'targetPort' }));
        ok = false;
      }
    }
    if (ok) good.push(e);
  }

  const next = successors(ids, good);
  const sorted = topologicalOrder(ids, next);
  let order = sorted;
  if (sorted.length < ids.length) {
    for (const cycle of findCycles(ids, next)) {
      const names = cycle.map((id) => `"${id}"`).join(' -> ');
      out.push(err('cycle', `the graph has a cycle: ${names}; a pipeline must be acyclic`, { nodeId: cycle[0]! }));
    }
    const done = new Set(sorted);
    order = [...sorted, ...ids.filter((id) => !done.has(id))];
  }
  if (options.warnings !== false) out.push(...reachability(ids, defs, good, next));
  return { diagnostics: out, order, edges: good };
}

/** Warnings only: a draft with a dangling node is normal while editing, never refused. */
function reachability(ids: string[], defs: Map<string, NodeTypeInfo>, edges: EdgeSpec[], next: Map<string, string[]>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const connected = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!connected.has(e.target)) connected.set(e.target, new Set());
    connected.get(e.target)!.add(targetPortOf(e));
  }
  // A node of an unknown type with no input might be a source: do not blame its downstream.
  const seeds = ids.filter((id) => (defs.has(id) ? isSourceType(defs.get(id)!) : !connected.has(id)));
  const reached = reachable(seeds, next);
  for (const id of ids) {
    const def = defs.get(id);
    if (!def || isSourceType(def)) continue;
    const ports = connected.get(id);
    const missing = def.inputs.filter((p) => !p.optional && !ports?.has(p.name));
    const what = def.category === 'sink' ? 'this sink' : 'this node';
    if (!ports && missing.length > 0)
      out.push(warn('unconnected-input', `${what} has no input: it will never receive an event`, { nodeId: id }));
    else if (missing.length > 0) {
      for (const p of missing) out.push(warn('unconnected-input', `input port "${p.name}" is not connected`, { nodeId: id }));
    } else if (!reached.has(id)) out.push(warn('unreachable', `no source reaches ${what}: it will never receive an event`, { nodeId: id }));
  }
  return out;
}

function unknownTypeMessage(type: string, known: readonly string[]): string {
  const close = known.map((k) => [k, distance(k, type)] as const).sort((a, b) => a[1] - b[1])[0];
  const hint = close && close[1] <= Math.max(1, Math.floor(type.length / 4)) ? `; did you mean "${close[0]}"?` : '';
  return `unknown node type "${type}"${hint} (known: ${[...known].sort().join(', ')})`;
}
