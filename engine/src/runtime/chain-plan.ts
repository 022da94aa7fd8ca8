/**
 * Which nodes of a task run as fused chains (fused-chain.ts): from every step node (an operator
 * with Operator.step), the longest run of step nodes joined by lone chained edges, then the node
 * after it when that one takes single events (Operator.accept), in this task or, across an
 * exchange the runner makes a direct call, in every partition of the next stage. A chain is worth
 * it with two steps or more, or with such a terminal. A node with a connected side port
 * (`error`) or a fan-out ends a chain where it is: those keep their batches.
 */
import type { PlanEdge } from '../compile/plan.js';
import { type ChainOutput, FusedChain, Projection, type Terminal } from './fused-chain.js';
import type { NodeInstance } from './node-instance.js';
import type { Task } from './task.js';

export interface ChainWiring extends ChainOutput {
  /**
   * The target node's instance in every partition of the stage an exchange edge enters, how an
   * event picks one, and the stage's keyBy; undefined when the exchange is not a direct call.
   */
  exchangeTargets(edge: PlanEdge): (Terminal & { keyBy: readonly string[] }) | undefined;
}

/** The lone `out` edge of `inst` when nothing else leaves it (no side port, no fan-out). */
function loneEdge(inst: NodeInstance): PlanEdge | undefined {
  const node = inst.node;
  if (inst.latency !== undefined) return undefined;
  for (const port of node.connectedOutputs) if (port !== 'out') return undefined;
  const edges = node.outEdges.get('out');
  return edges !== undefined && edges.length === 1 ? edges[0] : undefined;
}

function isStep(inst: NodeInstance | undefined): inst is NodeInstance {
  return inst?.op?.step !== undefined && loneEdge(inst) !== undefined;
}

function takesEvents(inst: NodeInstance): boolean {
  return inst.op?.accept !== undefined && inst.latency === undefined && !inst.node.isSink;
}

/** Where `edge` ends, when every instance there takes single events. */
function terminalOf(edge: PlanEdge, task: Task, w: ChainWiring): (Terminal & { keyBy?: readonly string[] }) | undefined {
  if (!edge.exchange) {
    const inst = task.instances.get(edge.target);
    return inst !== undefined && takesEvents(inst) ? { instances: [inst] } : undefined;
  }
  const t = w.exchangeTargets(edge);
  return t?.instances.every(takesEvents) ? t : undefined;
}

/** Sets `chain` on every step node of the task that heads a chain worth fusing. */
export function planChains(task: Task, w: ChainWiring): void {
  for (const head of task.instances.values()) {
    if (!isStep(head)) continue;
    const steps: NodeInstance[] = [head];
    const inner: PlanEdge[] = [];
    let edge = loneEdge(head)!;
    for (;;) {
      const next = edge.exchange ? undefined : task.instances.get(edge.target);
      if (!isStep(next) || steps.includes(next)) break;
      inner.push(edge);
      steps.push(next);
      edge = loneEdge(next)!;
    }
    const terminal = terminalOf(edge, task, w);
    if (steps.length < 2 && terminal === undefined) continue;
    let projection: Projection | undefined;
    if (terminal !== undefined) {
      inner.push(edge);
      projection = projectionFor(steps.at(-1)!, terminal);
    }
    head.chain = new FusedChain(steps, inner, terminal, w, projection);
  }
}

/**
 * A view for the terminal instead of the enriched event, when the last step only adds fields
 * and the terminal says what it reads (and, across an exchange, reads the keys that route it).
 */
function projectionFor(last: NodeInstance, t: Terminal & { keyBy?: readonly string[] }): Projection | undefined {
  const reads = t.instances[0]!.op!.reads;
  if (last.op!.addedFields === undefined || reads === undefined || !Projection.fits(reads)) return undefined;
  if (t.keyBy !== undefined && t.partition !== undefined && !t.keyBy.every((k) => reads.includes(k.split('.')[0]!))) return undefined;
  const fields = reads.filter((r): r is string => typeof r === 'string');
  const symbols = reads.filter((r): r is symbol => typeof r === 'symbol');
  const op = t.instances[0]!.op!;
  const keyFields = op.acceptKeyed !== undefined ? op.keyFields : undefined;
  return new Projection(fields, symbols, last, keyFields);
}
