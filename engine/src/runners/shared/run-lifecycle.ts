/**
 * What every run handle does the same way, whichever runner runs its tasks: its status, its
 * metrics with the failure, the done promise, stop, the one pending hot redeploy that the run's
 * loop applies between batches, and the end of the run: release what it holds, then resolve one
 * RunResult. The runners (embedded-run.ts, bullmq-run.ts) supply the loop and the release.
 */
import type { PipelineDocument, PipelineMetrics, RunStatus } from '@sluice/shared';
import type { Plan } from '../../compile/plan.js';
import type { RedeployDiff } from '../../compile/redeploy-diff.js';
import type { ErrorSample } from '../../metrics/error-samples.js';
import type { RunDetail, RunHistograms } from '../../metrics/run-detail.js';
import { type TapListener, type TapOptions, TapRegistry } from '../../runtime/taps.js';
import { HotSwapRefused, type RunHandle, type RunOptions, type RunResult } from '../runner.js';

/** What a run's metrics give, on either runner. */
export interface RunMetricsView {
  snapshot(status: RunStatus): PipelineMetrics;
  histograms(): RunHistograms;
  errorSamples(): Record<string, ErrorSample[]>;
}

/** A hot redeploy waiting for the run's loop to apply it between batches. */
export interface PendingSwap {
  document: PipelineDocument;
  plan: Plan;
  options: RunOptions;
  resolve: (diff: RedeployDiff) => void;
  reject: (err: unknown) => void;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export abstract class RunLifecycle implements RunHandle {
  readonly pipelineId: string;
  readonly done: Promise<RunResult>;
  private resolveDone!: (r: RunResult) => void;
  protected state: RunStatus = 'starting';
  protected failure: string | undefined;
  protected stopping = false;
  /** What a stop's bounded drain left unprocessed (BullMQ, queue-drain.ts). */
  protected discarded: RunResult['discarded'];
  /** Taps on the edges whose events cross this process. */
  protected readonly taps = new TapRegistry();
  private loop: Promise<void> | undefined;
  private pendingSwap: PendingSwap | undefined;
  protected abstract plan: Plan;
  protected abstract metricsState: RunMetricsView;

  constructor(pipelineId: string) {
    this.pipelineId = pipelineId;
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** Release what the run holds (operators, queues); a throw turns a clean end into a failure. */
  protected abstract release(status: RunStatus): Promise<void>;
  /** Why this run cannot swap to `options`, when it cannot (the run goes on untouched). */
  protected abstract swapRefusal(options: RunOptions): string | undefined;
  /** The plan and options a swap to `document` runs with; a document that does not plan throws. */
  protected abstract prepareSwap(document: PipelineDocument, options: RunOptions): { plan: Plan; options: RunOptions };
  /** Swap to the new plan, settling `swap` (a failure rejects it and leaves the run as it was). */
  protected abstract applySwap(swap: PendingSwap): Promise<void>;

  /** The run is running: `loop` runs it; when it returns, the run ends as `ended()` says, when it throws, it fails. */
  protected startLoop(loop: () => Promise<void>, ended: () => RunStatus): void {
    this.state = 'running';
    this.loop = loop().then(
      () => this.finish(ended()),
      (err: unknown) => {
        this.failure = messageOf(err);
        return this.finish('failed');
      },
    );
  }

  private async finish(status: RunStatus): Promise<void> {
    try {
      await this.release(status);
    } catch (err) {
      if (status !== 'failed') {
        status = 'failed';
        this.failure = messageOf(err);
      }
    }
    this.state = status;
    const result: RunResult = { status, metrics: this.metrics() };
    if (this.failure !== undefined) result.error = this.failure;
    if (this.discarded !== undefined) result.discarded = this.discarded;
    const samples = this.metricsState.errorSamples();
    if (Object.keys(samples).length > 0) result.errorSamples = samples;
    this.resolveDone(result);
  }

  status(): RunStatus {
    return this.state;
  }

  detail(): RunDetail {
    return { plan: this.plan, ...this.metricsState.histograms() };
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

  tap(edgeId: string, listener: TapListener, options?: TapOptions): () => void {
    return this.taps.add(edgeId, listener, options);
  }

  /**
   * Hot redeploy (docs/hot-redeploy.md): the swap itself runs in the run's loop between batches
   * (applyPendingSwap). Refused (the run goes on untouched) when the run is not running, another swap
   * waits, or the runner cannot carry the options.
   */
  redeploy(document: PipelineDocument, options: RunOptions): Promise<RedeployDiff> {
    let prepared: { plan: Plan; options: RunOptions };
    try {
      const refused =
        this.state !== 'running' || this.stopping
          ? `the run is ${this.stopping ? 'stopping' : this.state}`
          : this.pendingSwap
            ? 'another redeploy is in progress'
            : this.swapRefusal(options);
      if (refused !== undefined) throw new HotSwapRefused(refused);
      prepared = this.prepareSwap(document, options);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.pendingSwap = { document, ...prepared, resolve, reject };
    });
  }

  /** The loop calls this between batches: applies the swap that waits, if one does; true when it did. */
  protected async applyPendingSwap(): Promise<boolean> {
    const swap = this.pendingSwap;
    if (!swap) return false;
    this.pendingSwap = undefined;
    await this.applySwap(swap);
    return true;
  }

  /** No swap can be applied any more: one that waits is refused. */
  protected refuseSwaps(reason: string): void {
    this.pendingSwap?.reject(new HotSwapRefused(reason));
    this.pendingSwap = undefined;
  }
}
