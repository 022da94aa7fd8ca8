/**
 * An embedded run on several threads (docs/embedded-threads.md): each source partition is polled
 * in the pooled thread that runs its chain (thread-part.ts), so its events never cross to get
 * there; only sources that need the main thread (mainThreadSources) are polled here and dealt
 * out as transferred buffers. The partition threads run every operator. Status, metrics, taps, stop and hot
 * redeploy behave as in EmbeddedRun, which runs a one-partition plan (and previews) on one thread.
 */
import { parseMaxDrift } from '../../../runtime/source-alignment.js';
import type { Event, PipelineDocument, RunStatus } from '@sluice/shared';
import type { SourceOperator } from '@sluice/nodes/sdk';
import type { Plan, PlanStage } from '../../../compile/plan.js';
import { diffPlans } from '../../../compile/redeploy-diff.js';
import { RunMetrics } from '../../../metrics/run-metrics.js';
import { loadedPlugins } from '../../../plugins/load-plugins.js';
import { EventTooDeepError, tooDeepFields } from '../../../runtime/event-depth.js';
import { StartFailure } from '../../../runtime/node-errors.js';
import { buildOperators, sourceKey } from '../../../runtime/operator-build.js';
import type { TapListener, TapOptions } from '../../../runtime/taps.js';
import type { TaskOutput } from '../../../runtime/task.js';
import { RUN_DEFAULTS, type RunOptions } from '../../runner.js';
import { messageOf, type PendingSwap, RunLifecycle } from '../../shared/run-lifecycle.js';
import { carriedMetrics, hasOverrides, nextPollSize, runContext, sleep } from '../embedded-run.js';
import { encodeBatch } from './thread-batch-codec.js';
import { tsxApiForThreads } from './thread-entry.js';
import { MetricsMerger } from './metrics-merger.js';
import { threadOf, threadPlan } from './thread-placement.js';
import type { SourceItem } from './thread-protocol.js';
import { ThreadSet } from './thread-set.js';

const YIELD_EVERY_MS = 15;
const FIRST_POLL = 64;

interface SourceSlot {
  nodeId: string;
  source: SourceOperator;
  /** The source stage in the thread plan, and the source's partition. */
  stage: PlanStage;
  partition: number;
  ended: boolean;
  watermark: number;
  pollSize?: number;
}

/** Sources only run here: nothing is routed on the main thread. */
const noOutput: TaskOutput = { send() {}, sendWatermark() {}, onEdge() {} };

/** Source types fed by the server on the main thread (its ingest hub), never polled in a thread. */
const PUSH_SOURCE_TYPES = new Set(['source.http']);

/**
 * Source partitions (`node#partition`) polled on the main thread: a replaced source (a function
 * cannot cross to a thread), a push source, and every source when the run records what sources
 * emit (the recorder is a function here).
 */
export function mainThreadSources(plan: Plan, options: RunOptions): Set<string> {
  const out = new Set<string>();
  for (const stage of plan.stages) {
    if (stage.source === undefined) continue;
    const node = plan.nodes.get(stage.source)!;
    if (options.onSourceEvents || options.sourceOverrides?.[node.id] || PUSH_SOURCE_TYPES.has(node.type))
      for (let p = 0; p < stage.partitions; p++) out.add(sourceKey(node.id, p));
  }
  return out;
}

let handoffCount = 0;

export class ThreadedRun extends RunLifecycle {
  private sources: SourceSlot[] = [];
  private set!: ThreadSet;
  private merger!: MetricsMerger;
  protected metricsState: RunMetrics;
  private readonly tapCounts = new Map<string, number>();
  private crash: string | undefined;

  constructor(
    private document: PipelineDocument,
    protected plan: Plan,
    private options: RunOptions,
    private readonly threads: number,
  ) {
    super(options.pipelineId ?? document.id ?? 'pipeline');
    this.metricsState = new RunMetrics(plan, Date.now);
  }

  async start(): Promise<void> {
    try {
      const built = await this.build(this.document, this.options, this.metricsState, new Map(), new Map());
      this.install(built);
    } catch (err) {
      throw err instanceof StartFailure ? err : new Error(messageOf(err));
    }
    this.set.broadcast({ t: 'go' });
    this.startLoop(
      () => this.runSources(),
      () => (this.stopping ? 'stopped' : 'completed'),
    );
  }

  /** The sources (kept ones reused) and the threads of a plan; on failure, what was created is closed. */
  private build(
    document: PipelineDocument,
    options: RunOptions,
    metrics: RunMetrics,
    state: Map<string, unknown>,
    kept: Map<string, SourceSlot>,
    takeSources?: string,
  ): Promise<{ sources: SourceSlot[]; set: ThreadSet; merger: MetricsMerger }> {
    const partitions = options.partitions ?? RUN_DEFAULTS.partitions;
    const plan = threadPlan(document, partitions);
    const onMain = mainThreadSources(plan, options);
    const tsx = tsxApiForThreads();
    const context = {
      ...runContext(document, options, Date.now),
      ...(options.ingest ? { ingest: { hub: options.ingest, pipelineId: this.pipelineId } } : {}),
    };
    return buildOperators(
      { context, sourceOverrides: options.sourceOverrides, carry: { state: new Map(), sources: kept } },
      async (build) => {
        const sources: SourceSlot[] = [];
        for (const stage of plan.stages) {
          if (stage.source === undefined) continue;
          // The source alone (its chain runs in a thread).
          const only = { ...stage, nodes: [stage.source] };
          for (let p = 0; p < stage.partitions; p++) {
            if (!onMain.has(sourceKey(stage.source, p))) continue;
            const { source } = await build.task(plan, only, p, noOutput, (node) => ({ counters: metrics.node(node.id) }));
            const old = kept.get(sourceKey(stage.source, p));
            sources.push({
              nodeId: stage.source,
              source: source!.source,
              stage,
              partition: p,
              ended: old?.ended ?? false,
              watermark: old?.watermark ?? Number.NEGATIVE_INFINITY,
            });
          }
        }
        const merger = new MetricsMerger(metrics, plan, this.threads);
        const set = await ThreadSet.start(
          this.threads,
          (index) => ({
            index,
            threads: this.threads,
            partitions,
            document,
            pipelineId: this.pipelineId,
            baseDir: options.baseDir,
            ...(options.fileRoots ? { fileRoots: options.fileRoots } : {}),
            ...(options.params ? { params: options.params } : {}),
            ...(options.secrets ? { secrets: options.secrets } : {}),
            console: options.consoleWriter !== undefined,
            plugins: loadedPlugins(),
            ...(tsx ? { tsx } : {}),
            state: [...state].filter(
              ([key]) => threadOf(Number(key.slice(key.lastIndexOf('#') + 1)), this.threads) === index,
            ) as ThreadInitState,
            tapped: [...this.tapCounts.keys()],
            fedByMain: [...onMain],
            batchSize: options.batchSize ?? RUN_DEFAULTS.batchSize,
            batchDelayMs: options.batchDelayMs ?? RUN_DEFAULTS.batchDelayMs,
            maxDriftMs: options.maxDriftMs ?? parseMaxDrift(process.env.SLUICE_ALIGN_MAX_DRIFT_MS, 'SLUICE_ALIGN_MAX_DRIFT_MS'),
            ...(takeSources ? { takeSources } : {}),
          }),
          {
            onMetrics: (i, report) => merger.apply(i, report),
            onTap: (edge, events) => this.taps.emit(edge, events as Event[]),
            onLine: (text) => (this.options.consoleWriter ?? ((l: string) => process.stdout.write(`${l}\n`)))(text),
            onFailure: (message) => {
              this.crash = message;
            },
          },
        );
        return { sources, set, merger };
      },
    );
  }

  private install(built: { sources: SourceSlot[]; set: ThreadSet; merger: MetricsMerger }): void {
    this.sources = built.sources;
    this.set = built.set;
    this.merger = built.merger;
  }

  override tap(edgeId: string, listener: TapListener, options?: TapOptions): () => void {
    const off = super.tap(edgeId, listener, options);
    this.tapCounts.set(edgeId, (this.tapCounts.get(edgeId) ?? 0) + 1);
    this.set.broadcast({ t: 'taps', edges: [...this.tapCounts.keys()] });
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      off();
      const n = (this.tapCounts.get(edgeId) ?? 1) - 1;
      if (n > 0) this.tapCounts.set(edgeId, n);
      else this.tapCounts.delete(edgeId);
      if (this.state === 'running') this.set.broadcast({ t: 'taps', edges: [...this.tapCounts.keys()] });
    };
  }

  private checkCrash(): void {
    if (this.crash !== undefined) throw new Error(this.crash);
  }

  private async runSources(): Promise<void> {
    const batchSize = this.options.batchSize ?? RUN_DEFAULTS.batchSize;
    const delay = this.options.batchDelayMs ?? RUN_DEFAULTS.batchDelayMs;
    let lastYield = performance.now();
    while (!this.stopping) {
      this.checkCrash();
      if (await this.applyPendingSwap()) continue;
      let active = 0;
      let starved = 0;
      for (const slot of this.sources) {
        if (slot.ended) continue;
        active++;
        if (!this.set.hasRoom()) {
          await this.set.until(() => this.set.hasRoom() || this.stopping);
          this.checkCrash();
          if (this.stopping) break;
        }
        const asked = (slot.pollSize ??= Math.min(FIRST_POLL, batchSize));
        // A stop that came during the poll is honoured after the deal: the source has moved past
        // this batch (an acknowledgement on read, a push source's accepted request), and the
        // close the stop sends the threads comes after it on the same port.
        const batch = await slot.source.poll(asked);
        const t0 = performance.now();
        if (batch.events.length > 0) this.options.onSourceEvents?.(this.pipelineId, slot.nodeId, batch.events);
        slot.watermark = batch.done ? Number.POSITIVE_INFINITY : batch.watermark;
        const { events, errors } = batch.shallow === true ? batch : screenTooDeep(batch.events, batch.errors);
        this.deal(slot, events, errors, batch.done);
        if (batch.done) slot.ended = true;
        else if (batch.events.length < asked) starved++;
        if (batch.events.length >= asked) slot.pollSize = nextPollSize(asked, performance.now() - t0, batchSize);
        if (this.stopping) break;
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise((r) => setImmediate(r));
          lastYield = performance.now();
        }
      }
      if (active === 0) break;
      if (starved === active) {
        await sleep(delay);
        lastYield = performance.now();
      }
    }
    if (this.stopping) return;
    // Every source ended: the run completes when every thread has reached the end of its input.
    await this.set.until(() => this.set.allDone() || this.stopping);
    this.checkCrash();
  }

  /** One polled batch (or its watermark alone) to the thread of the source's partition. */
  private deal(slot: SourceSlot, events: Event[], errors: SourceItem['errors'], done: boolean): void {
    const item: SourceItem = {
      stage: slot.stage.id,
      part: slot.partition,
      wm: slot.watermark,
      done,
      ...(events.length > 0 ? { buf: encodeBatch(events), shallow: true } : {}),
      ...(errors && errors.length > 0 ? { errors } : {}),
    };
    this.set.dealSource(new Map([[threadOf(slot.partition, this.threads), [item]]]));
  }

  protected swapRefusal(options: RunOptions): string | undefined {
    if (options.baseDir !== this.options.baseDir) return 'the document folder changed';
    if (hasOverrides(options) || hasOverrides(this.options)) return 'a run with replaced operators (a preview) is not swapped';
    if ((options.partitions ?? this.options.partitions) !== this.options.partitions) return 'the partition count changed';
    return undefined;
  }

  protected prepareSwap(document: PipelineDocument, options: RunOptions): { plan: Plan; options: RunOptions } {
    const merged: RunOptions = { ...this.options, ...options };
    return { plan: threadPlan(document, merged.partitions ?? RUN_DEFAULTS.partitions), options: merged };
  }

  /**
   * Between two rounds of polls: wait until nothing moves between threads, take the kept nodes'
   * state from the threads, start the new threads with it (the old ones go on if that fails),
   * then close the old ones and send the kept sources' watermarks again.
   */
  protected async applySwap(swap: PendingSwap): Promise<void> {
    const diff = diffPlans(this.plan, swap.plan);
    const kept = new Set(diff.kept);
    let state: Map<string, unknown>;
    // Kept sources polled in a thread stay there, under this token, for the new part in the same thread.
    const handoff = `swap-${process.pid}-${++handoffCount}`;
    try {
      await this.set.pause();
      await this.set.quiesce();
      state = new Map(await this.set.snapshot(diff.kept, handoff));
    } catch (err) {
      if (this.set.failure === undefined) this.set.broadcast({ t: 'go' });
      swap.reject(err);
      return;
    }
    const keptSources = new Map<string, SourceSlot>();
    for (const slot of this.sources) if (kept.has(slot.nodeId)) keptSources.set(sourceKey(slot.nodeId, slot.partition), slot);
    const metrics = carriedMetrics(this.metricsState, this.plan, swap.plan, Date.now);
    let built: Awaited<ReturnType<ThreadedRun['build']>>;
    try {
      built = await this.build(swap.document, swap.options, metrics, state, keptSources, handoff);
    } catch (err) {
      this.set.broadcast({ t: 'go' }); // the old parts go on, their sources too
      swap.reject(err);
      return;
    }
    const old = { set: this.set, sources: this.sources };
    this.install(built);
    this.document = swap.document;
    this.plan = swap.plan;
    this.options = swap.options;
    this.metricsState = metrics;
    for (const slot of old.sources) if (!keptSources.has(sourceKey(slot.nodeId, slot.partition))) await slot.source.close?.();
    await old.set.close();
    for (const slot of this.sources)
      if (keptSources.has(sourceKey(slot.nodeId, slot.partition))) this.deal(slot, [], undefined, slot.ended);
    this.set.broadcast({ t: 'go' });
    swap.resolve(diff);
  }

  override async stop() {
    this.stopping = true;
    this.set?.poke();
    return super.stop();
  }

  protected async release(status: RunStatus): Promise<void> {
    this.refuseSwaps(`the run ${status === 'completed' ? 'completed' : 'ended'} before the swap`);
    for (const slot of this.sources) await slot.source.close?.();
    await this.set.close();
  }
}

/**
 * Records nested too deep for a sink (and for the batch codec) go to the source's error port, as
 * NodeInstance.emitSourceBatch does on one thread: screened here, before they are encoded.
 */
function screenTooDeep(events: Event[], errors: SourceItem['errors']): { events: Event[]; errors: SourceItem['errors'] } {
  let first = -1;
  for (let i = 0; i < events.length && first < 0; i++) if (tooDeepFields(events[i]!) !== undefined) first = i;
  if (first < 0) return { events, errors };
  const ok = events.slice(0, first);
  const bad = [...(errors ?? [])];
  for (let i = first; i < events.length; i++) {
    const e = events[i]!;
    const deep = tooDeepFields(e);
    if (deep === undefined) {
      ok.push(e);
      continue;
    }
    const copy: Record<string | symbol, unknown> = { ...e };
    for (const f of deep) copy[f] = null;
    bad.push({ event: copy as Event, error: new EventTooDeepError(deep).message });
  }
  return { events: ok, errors: bad };
}

type ThreadInitState = import('./thread-protocol.js').ThreadInit['state'];
