/**
 * Hot redeploy in BullMQ mode, the state part: once every queue is drained and every task has
 * committed, the old plan's state (tasks in Redis, source stages in the coordinator) is
 * re-cut along the new plan's stages. Kept nodes take their operator state to the same
 * partition (same key, same partition count: the same keys land there); counters of every node
 * and edge still present carry on (summed into partition 0 where the partition count changed);
 * channel sequence numbers and watermarks start again, as the queues do (they are emptied and
 * the sources re-send their watermark).
 */
import type { NodeCounts } from '@sluice/shared';
import type { StateSnapshot } from '@sluice/nodes/sdk';
import type { Plan } from '../../compile/plan.js';
import { type ErrorSample, mergeSamples } from '../../metrics/error-samples.js';
import { addCounts, emptyCounts } from '../../metrics/node-counters.js';
import type { CountersSnapshot, TaskSnapshot } from './task-state-store.js';

/** Everything the old plan held, flattened by node and partition. */
export interface OldState {
  /** `node#partition` -> operator state, for kept nodes. */
  operators: Map<string, StateSnapshot>;
  /** `node#partition` -> counters. */
  counters: Map<string, NodeCounts>;
  /** `node#partition` -> error samples. */
  errors: Map<string, ErrorSample[]>;
  /** Edge id -> events, summed over partitions. */
  edges: Map<string, number>;
}

export function emptyOldState(): OldState {
  return { operators: new Map(), counters: new Map(), errors: new Map(), edges: new Map() };
}

/** Add one old task's snapshot (or the coordinator's side of a source stage). */
export function collectTask(
  into: OldState,
  stageNodes: readonly string[],
  partition: number,
  snap: Pick<TaskSnapshot, 'operators' | 'counters'>,
  kept: ReadonlySet<string>,
): void {
  for (const id of stageNodes) {
    const op = snap.operators[id];
    if (op && kept.has(id)) into.operators.set(`${id}#${partition}`, op);
    const c = snap.counters.nodes[id];
    if (c) into.counters.set(`${id}#${partition}`, c);
    const samples = snap.counters.errors?.[id];
    if (samples) into.errors.set(`${id}#${partition}`, samples);
  }
  for (const [edge, n] of Object.entries(snap.counters.edges)) into.edges.set(edge, (into.edges.get(edge) ?? 0) + n);
}

/** What one task of the new plan starts from (or undefined: it starts empty). */
export function newTaskState(
  before: Plan,
  after: Plan,
  old: OldState,
  stageId: number,
  partition: number,
): Pick<TaskSnapshot, 'operators' | 'counters'> | undefined {
  const stage = after.stages[stageId]!;
  const operators: TaskSnapshot['operators'] = {};
  const nodes: CountersSnapshot['nodes'] = {};
  const errors: NonNullable<CountersSnapshot['errors']> = {};
  let carried = false;
  for (const id of stage.nodes) {
    const op = old.operators.get(`${id}#${partition}`);
    if (op) {
      operators[id] = op;
      carried = true;
    }
    const prev = before.nodes.get(id);
    if (!prev) continue;
    const samePartitions = before.stages[prev.stage]!.partitions === stage.partitions;
    const oldPartitions = before.stages[prev.stage]!.partitions;
    let c: NodeCounts | undefined;
    let samples: ErrorSample[] = [];
    if (samePartitions) {
      c = old.counters.get(`${id}#${partition}`);
      samples = old.errors.get(`${id}#${partition}`) ?? [];
    } else if (partition === 0) {
      c = sumCounts(old, id, oldPartitions);
      samples = mergeSamples(Array.from({ length: oldPartitions }, (_, p) => old.errors.get(`${id}#${p}`) ?? []));
    }
    if (c) {
      nodes[id] = { ...c };
      carried = true;
    }
    if (samples.length > 0) errors[id] = samples;
  }
  // Edge counts: once, on partition 0 of the stage their source node runs in.
  const edges: Record<string, number> = {};
  if (partition === 0)
    for (const e of after.edges) {
      const n = old.edges.get(e.id);
      if (n && after.nodes.get(e.source)!.stage === stageId) {
        edges[e.id] = n;
        carried = true;
      }
    }
  if (!carried) return undefined;
  const counters: CountersSnapshot = { nodes, edges, watermark: null, done: false };
  if (Object.keys(errors).length > 0) counters.errors = errors;
  return { operators, counters };
}

/** A full task snapshot for Redis: state carried, channels and sequences from scratch. */
export function freshTaskSnapshot(carried: Pick<TaskSnapshot, 'operators' | 'counters'>): TaskSnapshot {
  return {
    applied: {},
    channels: {},
    watermark: Number.NEGATIVE_INFINITY,
    exchange: { seq: {}, sentWm: {} },
    operators: carried.operators,
    counters: carried.counters,
  };
}

function sumCounts(old: OldState, id: string, partitions: number): NodeCounts | undefined {
  let sum: NodeCounts | undefined;
  for (let p = 0; p < partitions; p++) {
    const c = old.counters.get(`${id}#${p}`);
    if (!c) continue;
    sum ??= emptyCounts();
    addCounts(sum, c);
  }
  return sum;
}
