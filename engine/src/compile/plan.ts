/**
 * Graph -> plan. Stateless neighbours are chained into one task (as Flink chains operators);
 * the plan is cut into a new stage at every key change (a node that declares `keyBy`), at every
 * source, and where inputs from several stages meet. A keyed stage runs as P partitions, each
 * with its own operator instances and state; events reach a partition by the hash of their key.
 * See docs/execution-model.md.
 */
import { type EdgeSpec, type NodeTypeInfo, type NodeTypeRegistry, type PipelineDocument, sourcePortOf, targetPortOf } from '@sluice/shared';

export interface PlanOptions {
  /** Partitions per keyed stage. */
  partitions: number;
}

export interface PlanNode {
  id: string;
  type: string;
  def: NodeTypeInfo;
  config: Record<string, unknown>;
  stage: number;
  isSource: boolean;
  isSink: boolean;
  /** Worker labels the node's work needs (`placement.labels`); sources only. */
  placement?: readonly string[];
  /** Output port -> edges leaving it. */
  outEdges: Map<string, PlanEdge[]>;
  inEdges: PlanEdge[];
  connectedOutputs: Set<string>;
}

export interface PlanEdge {
  id: string;
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
  /** True when the edge crosses a stage boundary (an exchange, a queue in BullMQ). */
  exchange: boolean;
  /**
   * On an exchange into a keyed stage whose node combines (NodeTypeInfo.combines): events may
   * cross as partial rows, which add these fields beside the key (docs/combiner.md). A runner
   * whose exchange copies or serializes combines them; one that makes a direct call need not.
   */
  combine?: readonly string[];
}

export interface PlanStage {
  id: number;
  /** Node ids in topological order. */
  nodes: string[];
  /** Keyed stages: the run's partition count; source stages: the source's `parallelism` (its partitions). */
  partitions: number;
  /** Fields the stage's inputs are partitioned by (keyed stages only). */
  keyBy?: readonly string[];
  /** The source node heading the stage, for source stages. */
  source?: string;
  /** Edges entering the stage from other stages. */
  inputs: PlanEdge[];
}

export interface Plan {
  nodes: Map<string, PlanNode>;
  edges: PlanEdge[];
  stages: PlanStage[];
  /** Node ids in topological order. */
  order: string[];
}

export function topologicalOrder(doc: PipelineDocument): string[] {
  const indegree = new Map(doc.nodes.map((n) => [n.id, 0]));
  const next = new Map<string, string[]>(doc.nodes.map((n) => [n.id, []]));
  for (const e of doc.edges) {
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
    next.get(e.source)?.push(e.target);
  }
  const queue = doc.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const t of next.get(id) ?? []) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  if (order.length !== doc.nodes.length) throw new Error('graph has a cycle');
  return order;
}

function sameKey(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((f, i) => f === b[i]);
}

/** Build the plan of a validated document (configs already parsed by their schemas). */
export function buildPlan(doc: PipelineDocument, registry: NodeTypeRegistry, options: PlanOptions): Plan {
  const order = topologicalOrder(doc);
  const nodes = new Map<string, PlanNode>();
  const parallelism = new Map<string, number>();
  for (const n of doc.nodes) {
    parallelism.set(n.id, n.parallelism ?? 1);
    const def = registry.get(n.type);
    if (!def) throw new Error(`${n.id}: unknown node type ${n.type}`);
    nodes.set(n.id, {
      id: n.id,
      type: n.type,
      def,
      config: n.config,
      stage: -1,
      isSource: def.category === 'source' || def.inputs.length === 0,
      isSink: def.category === 'sink',
      outEdges: new Map(),
      inEdges: [],
      connectedOutputs: new Set(),
      ...(n.placement ? { placement: n.placement.labels } : {}),
    });
  }
  const edges: PlanEdge[] = doc.edges.map((e: EdgeSpec) => ({
    id: e.id,
    source: e.source,
    sourcePort: sourcePortOf(e),
    target: e.target,
    targetPort: targetPortOf(e),
    exchange: false,
  }));
  for (const e of edges) {
    const src = nodes.get(e.source)!;
    const list = src.outEdges.get(e.sourcePort) ?? [];
    list.push(e);
    src.outEdges.set(e.sourcePort, list);
    src.connectedOutputs.add(e.sourcePort);
    nodes.get(e.target)!.inEdges.push(e);
  }

  const stages: PlanStage[] = [];
  const newStage = (partitions: number, keyBy?: readonly string[], source?: string): PlanStage => {
    const s: PlanStage = { id: stages.length, nodes: [], partitions, inputs: [] };
    if (keyBy) s.keyBy = keyBy;
    if (source) s.source = source;
    stages.push(s);
    return s;
  };
  for (const id of order) {
    const node = nodes.get(id)!;
    const keyBy = node.def.keyBy?.(node.config);
    const upstreamStages = new Set(node.inEdges.map((e) => nodes.get(e.source)!.stage));
    let stage: PlanStage;
    if (node.isSource) stage = newStage(parallelism.get(id)!, undefined, id);
    else if (keyBy && keyBy.length > 0) {
      // Same key as the single upstream keyed stage: no need to reshuffle.
      const [only] = upstreamStages;
      const up = upstreamStages.size === 1 ? stages[only!] : undefined;
      stage = up && sameKey(up.keyBy, keyBy) ? up : newStage(options.partitions, keyBy);
    } else if (keyBy && keyBy.length === 0) {
      // Keyed state with no key (a global window): one partition holds it all.
      const [only] = upstreamStages;
      const up = upstreamStages.size === 1 ? stages[only!] : undefined;
      stage = up && up.partitions === 1 && !up.source ? up : newStage(1, []);
    } else if (upstreamStages.size === 1) {
      const up = stages[[...upstreamStages][0]!]!;
      // A sink writes one file/connection: it runs once, not once per partition.
      stage = node.isSink && up.partitions > 1 ? newStage(1) : up;
    } else stage = newStage(1);
    node.stage = stage.id;
    stage.nodes.push(id);
  }
  for (const e of edges) {
    e.exchange = nodes.get(e.source)!.stage !== nodes.get(e.target)!.stage;
    if (e.exchange) stages[nodes.get(e.target)!.stage]!.inputs.push(e);
    const combine = e.exchange ? combinedFields(nodes.get(e.target)!, stages) : undefined;
    if (combine) e.combine = combine;
  }
  return { nodes, edges, stages, order };
}

/** A combiner's fields when `target` heads a keyed stage and its definition combines its input. */
function combinedFields(target: PlanNode, stages: readonly PlanStage[]): readonly string[] | undefined {
  if (stages[target.stage]!.keyBy === undefined || target.inEdges.length !== 1) return undefined;
  return target.def.combines?.(target.config, (port) => target.connectedOutputs.has(port));
}
