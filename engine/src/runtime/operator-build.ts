/**
 * Building the operators of a run's tasks, the same for every runner (the embedded run, the
 * BullMQ coordinator's source stages, a BullMQ worker's task): per node of a plan stage, an
 * instance whose operator is created (or replaced, or, for a source kept by a hot redeploy,
 * reused as it is), whose state is restored from a snapshot or whose onStart waits until every
 * operator of the build exists. A fresh start is settled (Operator.onStartSettled) at once where
 * the process owns its tasks alone, and by the caller once its commit of the start succeeded
 * where several processes may build the same task (`settlesStarts`: BullMQ). When a node fails,
 * whatever the build created is closed again and the error is one StartFailure naming the node.
 */
import { operatorEntry } from '@sluice/nodes/operators';
import type { Operator, SourceOperator, StateSnapshot } from '@sluice/nodes/sdk';
import type { Plan, PlanNode, PlanStage } from '../compile/plan.js';
import type { Histogram } from '../metrics/histogram.js';
import type { NodeCounters } from '../metrics/node-counters.js';
import { edgeCombiners, takesPartialRows } from './edge-combiners.js';
import { StartFailure } from './node-errors.js';
import { NodeInstance } from './node-instance.js';
import { type ContextOptions, operatorContext } from './operator-context.js';
import { Task, type TaskOutput, taskChannels } from './task.js';

/** What a build carries over from a running pipeline (a hot redeploy) or a snapshot. */
export interface BuildCarry<S extends { source: SourceOperator } = { source: SourceOperator }> {
  /** `node#partition` -> operator state: restored instead of started. */
  state: Map<string, StateSnapshot>;
  /** Kept sources by `node#partition` (sourceKey): reused as they are (same position, same inbox), never created or closed by the build. */
  sources: Map<string, S>;
}

/** A source partition's key in BuildCarry.sources. */
export function sourceKey(nodeId: string, partition: number): string {
  return `${nodeId}#${partition}`;
}

export interface OperatorBuildOptions {
  context: ContextOptions;
  /** Replacement sources (a preview's recording, a benchmark's events in memory). */
  sourceOverrides?: Record<string, () => SourceOperator> | undefined;
  /** Replacement operators (a preview captures what sinks receive). */
  operatorOverrides?: Record<string, () => Operator> | undefined;
  carry?: BuildCarry | undefined;
  /**
   * The caller settles fresh starts itself (settleStarts) once it has committed them: other
   * processes may build the same tasks, and only one start is committed (BullMQ).
   */
  settlesStarts?: boolean;
}

/** How a node's instance counts and times: the runner owns its counters and histograms. */
export interface NodeMeters {
  counters: NodeCounters;
  latency?: Histogram | undefined;
  /** Remember changed keys (BullMQ commits keyed state incrementally). */
  trackState?: boolean;
}

export interface BuiltSource {
  nodeId: string;
  source: SourceOperator;
  instance: NodeInstance;
}

export interface BuiltTask {
  task: Task;
  /** The stage's source, when it is a source stage. */
  source?: BuiltSource;
  /** The operators of this task that start fresh (their start is settled by the caller with `settlesStarts`). */
  fresh: Operator[];
}

export class OperatorBuild {
  private readonly sources: SourceOperator[] = [];
  private readonly operators: Operator[] = [];
  private readonly starts: { nodeId: string; op: Operator }[] = [];
  /** How many of `starts` ran onStart (settled `false` when the build fails). */
  private started = 0;

  constructor(private readonly o: OperatorBuildOptions) {}

  /** One partition of a stage, every node's operator created and its state restored (or its start pending). */
  async task(
    plan: Plan,
    stage: PlanStage,
    partition: number,
    output: TaskOutput,
    meters: (node: PlanNode) => NodeMeters,
  ): Promise<BuiltTask> {
    const task = new Task(stage, partition, output, taskChannels(plan, stage));
    if (output.combines) task.combiners = edgeCombiners(plan, stage);
    const built: BuiltTask = { task, fresh: [] };
    const before = this.starts.length;
    for (const id of stage.nodes) {
      const node = plan.nodes.get(id)!;
      const m = meters(node);
      const inst = new NodeInstance(node, m.counters, task.route, m.latency, undefined, m.trackState ?? false);
      try {
        const source = await this.create(node, inst, partition, stage.partitions, output.combines === true);
        if (source) built.source = { nodeId: id, source, instance: inst };
      } catch (err) {
        throw new StartFailure(id, err);
      }
      task.instances.set(id, inst);
    }
    built.fresh = this.starts.slice(before).map((s) => s.op);
    return built;
  }

  /** Creates the node's operator into `inst`; for a source node, returns its source instead. */
  private async create(
    node: PlanNode,
    inst: NodeInstance,
    partition: number,
    of: number,
    combining: boolean,
  ): Promise<SourceOperator | undefined> {
    const id = node.id;
    // The one place a runner looks an operator up by its node type.
    const entry = operatorEntry(node.type);
    if (!entry) throw new Error(`no operator for node type ${node.type}`);
    const ctx = operatorContext(node, inst.state, this.o.context);
    if (combining && takesPartialRows(node)) ctx.partialRows = true;
    if (entry.kind === 'source') {
      const kept = this.o.carry?.sources.get(sourceKey(id, partition));
      if (kept) return kept.source;
      const override = this.o.sourceOverrides?.[id];
      if (override && of > 1) throw new Error(`a replaced source runs as one partition, not ${of}`);
      ctx.partition = { index: partition, of };
      const source = override ? override() : await entry.create(ctx);
      this.sources.push(source);
      return source;
    }
    const override = this.o.operatorOverrides?.[id];
    const op = override ? override() : await entry.create(ctx);
    this.operators.push(op);
    inst.op = op;
    const saved = this.o.carry?.state.get(`${id}#${partition}`);
    if (saved) {
      inst.state.restore(saved);
      op.onRestore?.();
    } else this.starts.push({ nodeId: id, op });
    return undefined;
  }

  /** Every operator created fresh starts now that all exist (and, unless the caller settles them, its start is committed). */
  start(): void {
    for (const { nodeId, op } of this.starts) {
      try {
        op.onStart?.();
        this.started++;
      } catch (err) {
        throw new StartFailure(nodeId, err);
      }
    }
    if (this.o.settlesStarts) return;
    for (const { nodeId, op } of this.starts) {
      try {
        op.onStartSettled?.(true);
      } catch (err) {
        throw new StartFailure(nodeId, err);
      }
    }
  }

  /** Close what this build created (not the kept sources); the build's own error is what the caller reports. */
  async abort(): Promise<void> {
    settleStarts(
      this.starts.slice(0, this.started).map((s) => s.op),
      false,
    );
    for (const closable of [...this.sources, ...this.operators]) {
      try {
        await closable.close?.();
      } catch {
        // A half-built operator may fail to close: the failure that stopped the build matters.
      }
    }
  }
}

/** Tell fresh operators whether their start was committed; a failure to undo a start does not hide the caller's outcome. */
export function settleStarts(ops: readonly Operator[], committed: boolean): void {
  for (const op of ops) {
    if (committed) op.onStartSettled?.(true);
    else
      try {
        op.onStartSettled?.(false);
      } catch {
        // Undoing is cleanup: what failed the start matters more.
      }
  }
}

/**
 * Run `body` with a fresh build, then start the fresh operators; when anything throws, close
 * what was created and rethrow (a failed hot redeploy leaves the running pipeline untouched).
 */
export async function buildOperators<T>(o: OperatorBuildOptions, body: (build: OperatorBuild) => Promise<T>): Promise<T> {
  const build = new OperatorBuild(o);
  try {
    const built = await body(build);
    build.start();
    return built;
  } catch (err) {
    await build.abort();
    throw err;
  }
}
