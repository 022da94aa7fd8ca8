import type { Event, PipelineDocument, PipelineMetrics, RunStatus } from '@sluice/shared';
import { paramValues } from '@sluice/shared';
import type { Operator, SinkOperator, SourceOperator } from '@sluice/nodes/sdk';
import { operatorEntry } from '@sluice/nodes/operators';
import type { Plan, PlanEdge, PlanStage } from '../../compile/plan.js';
import { RunMetrics } from '../../metrics/run-metrics.js';
import { keyPartitioner, type Partitioner } from '../../runtime/partitioner.js';
import { NodeInstance } from '../../runtime/node-instance.js';
import { operatorContext } from '../../runtime/operator-context.js';
import { SOURCE_CHANNEL, Task, type TaskOutput } from '../../runtime/task.js';
import { type TapListener, TapRegistry } from '../../runtime/taps.js';
import { RUN_DEFAULTS, type RunHandle, type RunOptions, type RunResult } from '../runner.js';

const YIELD_EVERY_MS = 15;

interface SourceSlot {
  nodeId: string;
  source: SourceOperator;
  task: Task;
  instance: NodeInstance;
  ended: boolean;
}

export class EmbeddedRun implements RunHandle, TaskOutput {
  readonly pipelineId: string;
  readonly done: Promise<RunResult>;
  private resolveDone!: (r: RunResult) => void;
  private state: RunStatus = 'starting';
  private failure: string | undefined;
  private stopping = false;
  private readonly tasks = new Map<number, Task[]>();
  private readonly partitioners = new Map<number, Partitioner>();
  private readonly exchangeOut = new Map<number, PlanEdge[]>();
  private readonly sources: SourceSlot[] = [];
  private readonly taps = new TapRegistry();
  private readonly metricsState: RunMetrics;
  private readonly now: () => number;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly document: PipelineDocument,
    private readonly plan: Plan,
    private readonly options: RunOptions,
  ) {
    this.pipelineId = options.pipelineId ?? document.id ?? 'pipeline';
    this.now = options.now ?? Date.now;
    this.metricsState = new RunMetrics(plan, this.now);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  async start(): Promise<void> {
    const params = { ...paramValues(this.document), ...this.options.params };
    const ctxOptions = {
      baseDir: this.options.baseDir,
      params,
      now: this.now,
      ...(this.options.consoleWriter ? { consoleWriter: this.options.consoleWriter } : {}),
      ...(this.options.ingest ? { ingest: { hub: this.options.ingest, pipelineId: this.pipelineId } } : {}),
    };
    try {
      for (const stage of this.plan.stages) {
        const list: Task[] = [];
        for (let p = 0; p < stage.partitions; p++) {
          const task = new Task(stage, p, this, this.channelsOf(stage));
          for (const id of stage.nodes) {
            const node = this.plan.nodes.get(id)!;
            const inst = new NodeInstance(node, this.metricsState.node(id), task.route, this.metricsState.sinkLatency(id));
            const entry = operatorEntry(node.type);
            if (!entry) throw new Error(`${id}: no operator for node type ${node.type}`);
            const ctx = operatorContext(node, inst.state, ctxOptions);
            try {
              if (entry.kind === 'source') {
                const override = this.options.sourceOverrides?.[id];
                const source = override ? override() : await entry.create(ctx);
                this.sources.push({ nodeId: id, source, task, instance: inst, ended: false });
              } else {
                const override = this.options.operatorOverrides?.[id];
                inst.op = override ? override() : await entry.create(ctx);
                inst.op.onStart?.();
              }
            } catch (err) {
              throw new StartFailure(id, err);
            }
            task.instances.set(id, inst);
          }
          list.push(task);
        }
        this.tasks.set(stage.id, list);
        this.partitioners.set(stage.id, keyPartitioner(stage.keyBy ?? [], stage.partitions));
      }
      for (const e of this.plan.edges) {
        if (!e.exchange) continue;
        const from = this.plan.nodes.get(e.source)!.stage;
        this.exchangeOut.set(from, [...(this.exchangeOut.get(from) ?? []), e]);
      }
    } catch (err) {
      await this.closeOperators();
      throw err instanceof StartFailure ? err : new Error(String((err as Error).message ?? err));
    }
    this.state = 'running';
    this.loop = this.runSources().then(
      () => this.finish(this.stopping ? 'stopped' : 'completed'),
      (err: unknown) => {
        this.failure = err instanceof Error ? err.message : String(err);
        return this.finish('failed');
      },
    );
  }

  private channelsOf(stage: PlanStage): string[] {
    if (stage.source !== undefined) return [SOURCE_CHANNEL];
    const ids: string[] = [];
    for (const e of stage.inputs) {
      const upstream = this.plan.stages[this.plan.nodes.get(e.source)!.stage]!;
      for (let p = 0; p < upstream.partitions; p++) ids.push(Task.channelId(e.id, p));
    }
    return ids;
  }

  // TaskOutput: exchanges are direct calls in this runner.
  send(edge: PlanEdge, _fromPartition: number, events: Event[]): void {
    const stageId = this.plan.nodes.get(edge.target)!.stage;
    const targets = this.tasks.get(stageId)!;
    if (targets.length === 1) {
      targets[0]!.deliver(edge.target, edge.targetPort, events);
      return;
    }
    const partition = this.partitioners.get(stageId)!;
    const parts: Event[][] = targets.map(() => []);
    for (const e of events) parts[partition(e)]!.push(e);
    for (let p = 0; p < parts.length; p++) if (parts[p]!.length > 0) targets[p]!.deliver(edge.target, edge.targetPort, parts[p]!);
  }

  sendWatermark(stage: PlanStage, fromPartition: number, watermark: number): void {
    this.metricsState.setWatermark(stage.id, fromPartition, watermark);
    for (const edge of this.exchangeOut.get(stage.id) ?? []) {
      const channel = Task.channelId(edge.id, fromPartition);
      for (const t of this.tasks.get(this.plan.nodes.get(edge.target)!.stage)!) t.advance(channel, watermark);
    }
  }

  onEdge(edge: PlanEdge, events: Event[]): void {
    this.metricsState.edge(edge.id, events.length);
    if (this.taps.active) this.taps.emit(edge.id, events);
  }

  private async runSources(): Promise<void> {
    const batchSize = this.options.batchSize ?? RUN_DEFAULTS.batchSize;
    const delay = this.options.batchDelayMs ?? RUN_DEFAULTS.batchDelayMs;
    let lastYield = performance.now();
    while (!this.stopping) {
      let active = 0;
      let starved = 0;
      for (const slot of this.sources) {
        if (slot.ended) continue;
        active++;
        const batch = await slot.source.poll(batchSize);
        if (this.stopping) break;
        for (const bad of batch.errors ?? []) slot.instance.error(bad.event, bad.error);
        if (batch.errors?.length) slot.instance.flush();
        if (batch.events.length > 0) slot.instance.emitSourceBatch(batch.events);
        if (batch.done) {
          slot.ended = true;
          slot.task.advance(SOURCE_CHANNEL, Number.POSITIVE_INFINITY);
        } else {
          slot.task.advance(SOURCE_CHANNEL, batch.watermark);
          if (batch.events.length < batchSize) starved++;
        }
      }
      if (active === 0) break;
      if (starved === active) {
        await sleep(delay);
        lastYield = performance.now();
      } else if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
  }

  private async finish(status: RunStatus): Promise<void> {
    try {
      await this.closeOperators();
    } catch (err) {
      if (status !== 'failed') {
        status = 'failed';
        this.failure = err instanceof Error ? err.message : String(err);
      }
    }
    this.state = status;
    const result: RunResult = { status, metrics: this.metrics() };
    if (this.failure !== undefined) result.error = this.failure;
    this.resolveDone(result);
  }

  private async closeOperators(): Promise<void> {
    for (const slot of this.sources) await slot.source.close?.();
    for (const list of this.tasks.values())
      for (const t of list)
        for (const inst of t.instances.values()) {
          const op = inst.op as (Operator & SinkOperator) | undefined;
          await op?.flush?.();
          await op?.close?.();
        }
  }

  status(): RunStatus {
    return this.state;
  }

  metrics(): PipelineMetrics {
    const m = this.metricsState.snapshot(this.state);
    if (this.failure !== undefined) m.error = this.failure;
    return m;
  }

  async stop(): Promise<RunResult> {
    this.stopping = true;
    await this.loop;
    return this.done;
  }

  tap(edgeId: string, listener: TapListener): () => void {
    return this.taps.add(edgeId, listener);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** An operator could not start (a file that cannot be opened, a table that cannot be read). */
export class StartFailure extends Error {
  readonly code = 'start-failure';
  constructor(
    readonly nodeId: string,
    override readonly cause: unknown,
  ) {
    super(`${nodeId}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StartFailure';
  }
}
