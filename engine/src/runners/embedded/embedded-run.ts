import type { Event, PipelineDocument, RunStatus } from '@sluice/shared';
import { paramValues } from '@sluice/shared';
import { secretEnvVar, type SourceOperator } from '@sluice/nodes/sdk';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { buildPlan, type Plan, type PlanEdge, type PlanNode, type PlanStage } from '../../compile/plan.js';
import { diffPlans } from '../../compile/redeploy-diff.js';
import { ErrorSamples } from '../../metrics/error-samples.js';
import { copyCounts } from '../../metrics/node-counters.js';
import { RunMetrics } from '../../metrics/run-metrics.js';
import { StartFailure } from '../../runtime/node-errors.js';
import type { NodeInstance } from '../../runtime/node-instance.js';
import { type BuildCarry, buildOperators, sourceKey } from '../../runtime/operator-build.js';
import type { ContextOptions } from '../../runtime/operator-context.js';
import { routeSourceBatch } from '../../runtime/source-step.js';
import { type ChainWiring, planChains } from '../../runtime/chain-plan.js';
import { keyPartitioner, type Partitioner } from '../../runtime/partitioner.js';
import { SOURCE_CHANNEL, Task, type TaskOutput } from '../../runtime/task.js';
import { RUN_DEFAULTS, type RunInspector, type RunOptions } from '../runner.js';
import { messageOf, type PendingSwap, RunLifecycle } from '../shared/run-lifecycle.js';
import { pipelinePrivacy } from '../../privacy/pipeline-privacy.js';

const YIELD_EVERY_MS = 15;
/**
 * The embedded engine shares the API's event loop, and a batch runs to its end without
 * yielding. A source whose batch kept the loop longer than this polls fewer events next time
 * (down to 1), so a heavy but valid pipeline (10,000 windows per event) cannot starve the API;
 * a fast one grows back to `batchSize`. Results never depend on batching, only latency does.
 */
const BATCH_BUSY_TARGET_MS = 50;
/** First poll of a source: small, so the first batch of a heavy pipeline is short too. */
const FIRST_POLL = 64;
/**
 * Sinks write out what they buffered at least this often, and whenever the sources go idle: a
 * live pipeline's output shows up while it runs, not at stop (BullMQ flushes after every batch).
 */
const SINK_FLUSH_MS = 200;

interface SourceSlot {
  nodeId: string;
  source: SourceOperator;
  task: Task;
  instance: NodeInstance;
  ended: boolean;
  /** Events to ask for next (adapted to how long its batches take). */
  pollSize?: number;
}

/** What one plan runs on: its tasks by stage, partitioners, exchange edges and sources. */
interface Wiring {
  tasks: Map<number, Task[]>;
  partitioners: Map<number, Partitioner>;
  exchangeOut: Map<number, PlanEdge[]>;
  sources: SourceSlot[];
}

/** Carried into a new plan by a hot redeploy: state per `node#partition`, reused source slots. */
type Carry = BuildCarry<SourceSlot>;

export class EmbeddedRun extends RunLifecycle implements TaskOutput {
  private tasks = new Map<number, Task[]>();
  private partitioners = new Map<number, Partitioner>();
  private exchangeOut = new Map<number, PlanEdge[]>();
  private sources: SourceSlot[] = [];
  protected metricsState: RunMetrics;
  private readonly now: () => number;

  constructor(
    private document: PipelineDocument,
    protected plan: Plan,
    private options: RunOptions,
  ) {
    super(options.pipelineId ?? document.id ?? 'pipeline');
    this.now = options.now ?? Date.now;
    this.metricsState = new RunMetrics(plan, this.now);
  }

  async start(): Promise<void> {
    let wiring: Wiring;
    try {
      wiring = await this.build(this.document, this.plan, this.options, this.metricsState);
    } catch (err) {
      throw err instanceof StartFailure ? err : new Error(messageOf(err));
    }
    this.install(wiring);
    this.startLoop(
      () => this.runSources(),
      () => (this.stopping ? 'stopped' : 'completed'),
    );
  }

  /**
   * Create every operator of a plan. With `carry` (a hot redeploy), kept nodes get their state
   * back and kept sources are reused as they are (same position, same inbox). On failure every
   * operator created here is closed again and nothing of the running pipeline is touched.
   */
  private build(document: PipelineDocument, plan: Plan, options: RunOptions, metrics: RunMetrics, carry?: Carry): Promise<Wiring> {
    const context = {
      ...runContext(document, options, this.now),
      ...(options.ingest ? { ingest: { hub: options.ingest, pipelineId: this.pipelineId } } : {}),
    };
    const meters = (node: PlanNode) => ({ counters: metrics.node(node.id), latency: metrics.sinkLatency(node.id) });
    return buildOperators(
      { context, sourceOverrides: options.sourceOverrides, operatorOverrides: options.operatorOverrides, carry },
      async (build) => {
        const w: Wiring = { tasks: new Map(), partitioners: new Map(), exchangeOut: new Map(), sources: [] };
        for (const stage of plan.stages) {
          const list: Task[] = [];
          for (let p = 0; p < stage.partitions; p++) {
            const { task, source } = await build.task(plan, stage, p, this, meters);
            if (source) w.sources.push({ ...(carry?.sources.get(sourceKey(source.nodeId, p)) ?? { ended: false }), ...source, task });
            list.push(task);
          }
          w.tasks.set(stage.id, list);
          w.partitioners.set(stage.id, keyPartitioner(stage.keyBy ?? [], stage.partitions));
        }
        for (const e of plan.edges) {
          if (!e.exchange) continue;
          const from = plan.nodes.get(e.source)!.stage;
          w.exchangeOut.set(from, [...(w.exchangeOut.get(from) ?? []), e]);
        }
        this.fuseChains(plan, w);
        return w;
      },
    );
  }

  /** Chained nodes run fused where nothing watches them (runtime/fused-chain.ts); exchanges here are direct calls. */
  private fuseChains(plan: Plan, w: Wiring): void {
    const wiring: ChainWiring = {
      observes: (edge) => this.observes(edge),
      countEdge: (edge, events) => this.countEdge(edge, events),
      exchangeTargets: (edge) => {
        const stage = plan.stages[plan.nodes.get(edge.target)!.stage]!;
        const tasks = w.tasks.get(stage.id)!;
        const instances = tasks.map((t) => t.instances.get(edge.target)!);
        return { instances, partition: tasks.length === 1 ? undefined : w.partitioners.get(stage.id), keyBy: stage.keyBy ?? [] };
      },
    };
    for (const list of w.tasks.values()) for (const t of list) planChains(t, wiring);
  }

  private install(w: Wiring): void {
    this.tasks = w.tasks;
    this.partitioners = w.partitioners;
    this.exchangeOut = w.exchangeOut;
    this.sources = w.sources;
  }

  /**
   * Hot redeploy: the swap happens in the source loop between two rounds of polls, when no
   * batch is in flight (exchanges are direct calls here).
   */
  protected swapRefusal(options: RunOptions): string | undefined {
    if (options.baseDir !== this.options.baseDir) return 'the document folder changed';
    if (hasOverrides(options) || hasOverrides(this.options)) return 'a run with replaced operators (a preview) is not swapped';
    return undefined;
  }

  protected prepareSwap(document: PipelineDocument, options: RunOptions): { plan: Plan; options: RunOptions } {
    // Options the deploy does not set (batch size, partitions, a console writer) stay as they were.
    const merged: RunOptions = { ...this.options, ...options };
    return { plan: buildPlan(document, nodeDefinitions, { partitions: merged.partitions ?? RUN_DEFAULTS.partitions }), options: merged };
  }

  protected async applySwap(swap: PendingSwap): Promise<void> {
    const diff = diffPlans(this.plan, swap.plan);
    const kept = new Set(diff.kept);
    // Sinks write out what they buffered, so their state (a file's length) covers it.
    await this.flushSinks();
    const carry: Carry = { state: new Map(), sources: new Map() };
    const watermarks = new Map<string, number>();
    for (const list of this.tasks.values())
      for (const t of list)
        for (const [id, inst] of t.instances) if (kept.has(id) && inst.op) carry.state.set(`${id}#${t.partition}`, inst.state.snapshot());
    for (const slot of this.sources)
      if (kept.has(slot.nodeId)) {
        carry.sources.set(keyOf(slot), slot);
        watermarks.set(keyOf(slot), slot.task.watermark);
      }
    const metrics = carriedMetrics(this.metricsState, this.plan, swap.plan, this.now);
    let wiring: Wiring;
    try {
      wiring = await this.build(swap.document, swap.plan, swap.options, metrics, carry);
    } catch (err) {
      swap.reject(err); // the old pipeline goes on as it was
      return;
    }
    const old: Wiring = { tasks: this.tasks, partitioners: this.partitioners, exchangeOut: this.exchangeOut, sources: this.sources };
    this.install(wiring);
    this.document = swap.document;
    this.plan = swap.plan;
    this.options = swap.options;
    this.metricsState = metrics;
    await closeWiring(old, (slot) => !carry.sources.has(keyOf(slot)));
    // Kept sources re-send their watermark through the new tasks (windows restored their own
    // watermark, so nothing fires twice); an ended one sends the end of input again.
    for (const slot of this.sources) {
      const wm = watermarks.get(keyOf(slot));
      if (wm === undefined) continue;
      slot.task.advance(SOURCE_CHANNEL, slot.ended ? Number.POSITIVE_INFINITY : wm);
    }
    swap.resolve(diff);
  }

  // TaskOutput: exchanges are direct calls in this runner.
  send(edge: PlanEdge, _fromPartition: number, events: Event[], owned: boolean): void {
    const stageId = this.plan.nodes.get(edge.target)!.stage;
    const targets = this.tasks.get(stageId)!;
    if (targets.length === 1) {
      targets[0]!.deliver(edge.target, edge.targetPort, events, owned);
      return;
    }
    const partition = this.partitioners.get(stageId)!;
    // Each event goes to one partition: the parts stay as owned as the batch.
    const parts: Event[][] = targets.map(() => []);
    for (const e of events) parts[partition(e)]!.push(e);
    for (let p = 0; p < parts.length; p++) if (parts[p]!.length > 0) targets[p]!.deliver(edge.target, edge.targetPort, parts[p]!, owned);
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
    this.options.onEdgeCrossing?.(edge.id, events, this.inspector);
  }

  /** What the debugger reads at an edge crossing (RunOptions.onEdgeCrossing). */
  private readonly inspector: RunInspector = {
    node: (nodeId) => {
      const planNode = this.plan.nodes.get(nodeId);
      const inst = planNode && this.tasks.get(planNode.stage)?.[0]?.instances.get(nodeId);
      if (!planNode || !inst) return undefined;
      const keyBy = planNode.def.keyBy?.(planNode.config);
      return { type: planNode.type, config: planNode.config, ...(keyBy ? { keyBy } : {}), state: inst.state };
    },
    stages: () =>
      this.plan.stages.map((s) => ({
        stage: s.id,
        nodes: s.nodes,
        watermark: this.tasks.get(s.id)?.[0]?.watermark ?? Number.NEGATIVE_INFINITY,
      })),
  };

  observes(edge: PlanEdge): boolean {
    return this.options.onEdgeCrossing !== undefined || (this.taps.active && this.taps.listens(edge.id));
  }

  countEdge(edge: PlanEdge, events: number): void {
    this.metricsState.edge(edge.id, events);
  }

  /** A tap keeps references to what crosses its edge until it sends them. */
  keepsEvents(edge: PlanEdge): boolean {
    return this.taps.active && this.taps.has(edge.id);
  }

  private async runSources(): Promise<void> {
    const batchSize = this.options.batchSize ?? RUN_DEFAULTS.batchSize;
    const delay = this.options.batchDelayMs ?? RUN_DEFAULTS.batchDelayMs;
    let lastYield = performance.now();
    let lastSinkFlush = performance.now();
    while (!this.stopping) {
      if (await this.applyPendingSwap()) continue;
      let active = 0;
      let starved = 0;
      for (const slot of this.sources) {
        if (slot.ended) continue;
        // A stop polls nothing more, but what a poll under way hands out is routed: the source
        // may have acknowledged it or moved past it (release flushes and closes after the loop).
        if (this.stopping) break;
        active++;
        const asked = (slot.pollSize ??= Math.min(FIRST_POLL, batchSize));
        const batch = await slot.source.poll(asked);
        const t0 = performance.now();
        routeSourceBatch(slot.instance, slot.task, batch, (events) => this.options.onSourceEvents?.(this.pipelineId, slot.nodeId, events));
        if (batch.done) slot.ended = true;
        else if (batch.events.length < asked) starved++;
        if (batch.events.length >= asked) slot.pollSize = nextPollSize(asked, performance.now() - t0, batchSize);
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise((r) => setImmediate(r));
          lastYield = performance.now();
        }
      }
      if (active === 0) break;
      if (starved === active || performance.now() - lastSinkFlush > SINK_FLUSH_MS) {
        await this.flushSinks();
        lastSinkFlush = performance.now();
      }
      if (starved === active) {
        await sleep(delay);
        lastYield = performance.now();
      }
    }
  }

  private async flushSinks(): Promise<void> {
    for (const list of this.tasks.values()) for (const t of list) await t.flushSinks();
  }

  protected async release(status: RunStatus): Promise<void> {
    this.refuseSwaps(`the run ${status === 'completed' ? 'completed' : 'ended'} before the swap`);
    await closeWiring({ tasks: this.tasks, sources: this.sources }, () => true);
  }
}

/** A source slot's partition key (sources split by `parallelism` have one slot per partition). */
function keyOf(slot: SourceSlot): string {
  return sourceKey(slot.nodeId, slot.task.partition);
}

/** Flush and close the operators of a wiring; `closeSource` says which sources to close. */
async function closeWiring(w: Pick<Wiring, 'tasks' | 'sources'>, closeSource: (slot: SourceSlot) => boolean): Promise<void> {
  for (const slot of w.sources) if (closeSource(slot)) await slot.source.close?.();
  for (const list of w.tasks.values())
    for (const t of list) {
      await t.flushSinks();
      await t.closeOperators();
    }
}

export function hasOverrides(o: RunOptions): boolean {
  return Object.keys(o.sourceOverrides ?? {}).length > 0 || Object.keys(o.operatorOverrides ?? {}).length > 0;
}

/**
 * The metrics of the new plan, continuing the old run's: same start time, and the counters of
 * every node and edge present in both plans (batch-time histograms start again).
 */
export function carriedMetrics(old: RunMetrics, before: Plan, after: Plan, now: () => number): RunMetrics {
  let first = true;
  // RunMetrics reads its start time from the clock once, in its constructor.
  const m = new RunMetrics(after, () => {
    if (!first) return now();
    first = false;
    return old.startedAt;
  });
  for (const id of after.order) {
    if (!before.nodes.has(id)) continue;
    const carried = old.node(id);
    Object.assign(m.node(id), copyCounts(carried));
    m.node(id).samples = new ErrorSamples(carried.samples.list());
  }
  const edges = old.snapshot('running').edges;
  for (const e of after.edges) if (edges[e.id]) m.edge(e.id, edges[e.id]!.events);
  return m;
}

/** Scale a slow batch down to the busy target; double a fast one, up to `batchSize`. */
export function nextPollSize(asked: number, busyMs: number, batchSize: number): number {
  if (busyMs > BATCH_BUSY_TARGET_MS) return Math.max(1, Math.floor((asked * BATCH_BUSY_TARGET_MS) / busyMs));
  if (busyMs < BATCH_BUSY_TARGET_MS / 4) return Math.min(batchSize, asked * 2);
  return asked;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * What every operator of a run is handed, whichever thread builds it (partition-thread.ts
 * builds its own from the same document and options, without the functions a thread cannot get).
 */
export function runContext(document: PipelineDocument, options: RunOptions, now: () => number): ContextOptions {
  return {
    baseDir: options.baseDir,
    ...(options.fileRoots ? { fileRoots: options.fileRoots } : {}),
    params: { ...paramValues(document), ...options.params },
    now,
    ...(options.consoleWriter ? { consoleWriter: options.consoleWriter } : {}),
    ...(options.secrets ? { secrets: standInSecrets(options.secrets) } : {}),
    // What a console sink prints is what a tap would show (docs/privacy.md); an unset hmac key redacts.
    show: showable(document),
  };
}

/** The document's privacy mask for what people see; a document whose settings cannot be read gets the safe defaults. */
function showable(document: PipelineDocument): (e: Event) => Event {
  let privacy: ReturnType<typeof pipelinePrivacy>;
  try {
    privacy = pipelinePrivacy(document, { missingSecret: 'redact' });
  } catch {
    privacy = pipelinePrivacy({});
  }
  return (e) => privacy.mask(e);
}

/** Secrets given with the run first (a pipeline test's stand-ins), then the environment. */
function standInSecrets(given: Readonly<Record<string, string>>): (name: string) => string | undefined {
  return (name) => given[name] ?? process.env[secretEnvVar(name)];
}
