/**
 * The state the debugger shows at a pause: for the event's key, the open panes of the nearest
 * window at or after the paused edge's target, with their partial aggregates; or the row the
 * nearest rules node matches for the event. Read in the worker while the run is suspended.
 *
 * Partial aggregates come from the window operator itself, not from a second reading of its
 * accumulators: a throwaway window of the same config gets a copy of the key's entry and is sent
 * the end of input, so each open pane is "emitted" as it would be now (same names, same rules).
 */
import { type Event, fieldReader, type ParamValue, type PipelineDocument } from '@sluice/shared';
import { operatorEntry } from '@sluice/nodes/operators';
import { type Collector, keyFunction, MemoryStateRegistry, type Operator, type OperatorContext } from '@sluice/nodes/sdk';
import type { RunInspector } from '../runners/runner.js';
import type { KeyedNodeState, Pane } from './debug-protocol.js';

/** The nearest window or rules node, breadth first from `nodeId` (itself included). */
export function nearestKeyedNode(document: PipelineDocument, nodeId: string): string | undefined {
  const seen = new Set<string>();
  const queue = [nodeId];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const type = document.nodes.find((n) => n.id === id)?.type;
    if (type === 'window' || type === 'rules') return id;
    for (const e of document.edges) if (e.source === id) queue.push(e.target);
  }
  return undefined;
}

function context(nodeId: string, config: Record<string, unknown>, params: Record<string, ParamValue>, state = new MemoryStateRegistry()) {
  return {
    nodeId,
    config,
    params,
    resolvePath: (p: string) => p,
    isConnected: () => false,
    state,
    now: () => 0,
    // Windows and rules read no secrets; a twin never reaches the outside.
    secret: (name: string): string => {
      throw new Error(`the debugger's copy of ${nodeId} has no secret ${name}`);
    },
  } satisfies OperatorContext<unknown>;
}

function create(type: string, ctx: OperatorContext<unknown>): Operator {
  const entry = operatorEntry(type);
  if (entry?.kind !== 'operator') throw new Error(`no operator for ${type}`);
  const op = entry.create(ctx);
  if (op instanceof Promise) throw new Error(`${type} starts asynchronously`);
  return op;
}

/** A collector that keeps what is emitted (and what would go to the error port: an overflowed aggregate). */
function keeper(): Collector & { kept: Event[] } {
  const kept: Event[] = [];
  return {
    kept,
    emit: (e) => void kept.push(e),
    emitTo: (_p, e) => void kept.push(e),
    error: (e) => void kept.push(e),
    late() {},
    drop() {},
  };
}

interface KeyEntry {
  k: unknown[];
  w: unknown[];
}

function windowState(
  nodeId: string,
  node: NonNullable<ReturnType<RunInspector['node']>>,
  event: Event,
  params: Record<string, ParamValue>,
): KeyedNodeState {
  const keyBy = (node.keyBy ?? []) as string[];
  const key = Object.fromEntries(keyBy.map((f) => [f, fieldReader(f)(event) ?? null]));
  const stateKey = keyFunction(keyBy)(event);
  const entry = node.state.entryOf('windows', stateKey) as KeyEntry | undefined;
  if (!entry || entry.w.length === 0) return { node: nodeId, type: 'window', keyBy, key, panes: [] };
  // The throwaway window: the key's entry restored into it (as a checkpoint would be), then the end of input.
  const registry = new MemoryStateRegistry();
  const op = create('window', context(nodeId, node.config, params, registry));
  registry.restore({ windows: { kind: 'keyed', entries: [[stateKey, entry]] } });
  op.onRestore?.();
  const out = keeper();
  op.onWatermark?.(Number.POSITIVE_INFINITY, out);
  const names = ((node.config.aggregates ?? []) as { as: string }[]).map((a) => a.as);
  const counts = new Map((entry.w as { s: number; e: number; n: number }[]).map((w) => [`${w.s}|${w.e}`, w.n]));
  const panes: Pane[] = out.kept.map((o) => {
    const r = o as Record<string, unknown>;
    const start = r.window_start as number;
    const end = r.window_end as number;
    return { start, end, count: counts.get(`${start}|${end}`) ?? 0, aggregates: Object.fromEntries(names.map((n) => [n, r[n] ?? null])) };
  });
  return { node: nodeId, type: 'window', keyBy, key, panes };
}

const ROW_FIELD = '__sluice_debug_row';

function rulesState(
  nodeId: string,
  node: NonNullable<ReturnType<RunInspector['node']>>,
  event: Event,
  params: Record<string, ParamValue>,
): KeyedNodeState {
  // The first matching row, as hitPolicy "first" would pick it, from a twin of the node.
  const config = { ...node.config, hitPolicy: 'first', matchField: ROW_FIELD };
  const op = create('rules', context(nodeId, config, params));
  const out = keeper();
  op.process([{ ...event }], out, 'in', false);
  const decided = (out.kept[0] ?? {}) as Record<string, unknown>;
  const row = typeof decided[ROW_FIELD] === 'number' ? decided[ROW_FIELD] : 0;
  const outputIds = ((node.config.outputs ?? []) as { id: string }[]).map((o) => o.id);
  const rows = (node.config.rows ?? []) as unknown[];
  return {
    node: nodeId,
    type: 'rules',
    row,
    rowConfig: row > 0 ? (rows[row - 1] ?? null) : null,
    outputs: Object.fromEntries(outputIds.map((id) => [id, decided[id] ?? null])),
  };
}

/** The keyed state to show for `event` paused before `targetId`; undefined when there is none downstream. */
export function keyedStateAt(
  document: PipelineDocument,
  targetId: string,
  event: Event,
  run: RunInspector,
  params: Record<string, ParamValue>,
): KeyedNodeState | undefined {
  const nodeId = nearestKeyedNode(document, targetId);
  const node = nodeId === undefined ? undefined : run.node(nodeId);
  if (!nodeId || !node) return undefined;
  return node.type === 'window' ? windowState(nodeId, node, event, params) : rulesState(nodeId, node, event, params);
}
