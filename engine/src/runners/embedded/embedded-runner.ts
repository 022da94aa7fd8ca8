/**
 * The embedded runner: every stage and partition in this process. With one partition (and for
 * previews, and runs with an injected clock) everything runs on the calling thread, exchanges as
 * direct calls: sources are pulled in micro-batches; each batch is pushed through the chained
 * operators and across exchanges synchronously, then the source's watermark follows it; the loop
 * yields every few milliseconds so a server in the same process stays responsive. With P > 1
 * partitions the operators, and the sources that can, run on P pooled worker threads
 * (threads/threaded-run.ts, docs/embedded-threads.md) when the runner is made with `threads`
 * (SLUICE_EMBEDDED_THREADS=1).
 */
import type { PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { buildPlan } from '../../compile/plan.js';
import { RUN_DEFAULTS, type RunHandle, type Runner, type RunOptions } from '../runner.js';
import { EmbeddedRun, hasOverrides } from './embedded-run.js';
import { ThreadedRun } from './threads/threaded-run.js';

export interface EmbeddedRunnerOptions {
  /**
   * Run keyed partitions on worker threads (default: SLUICE_EMBEDDED_THREADS=1). Off by default:
   * measured on keyed YSB, the threads spend more CPU per event than one thread (the exchange
   * between them) and are not faster on this loaded 2-core machine (bench/results/threads.md).
   */
  threads?: boolean;
}

export class EmbeddedRunner implements Runner {
  readonly kind = 'embedded' as const;
  private readonly runs = new Set<EmbeddedRun | ThreadedRun>();
  private readonly threads: boolean;

  constructor(options: EmbeddedRunnerOptions = {}) {
    this.threads = options.threads ?? process.env.SLUICE_EMBEDDED_THREADS === '1';
  }

  async deploy(document: PipelineDocument, options: RunOptions): Promise<RunHandle> {
    const partitions = options.partitions ?? RUN_DEFAULTS.partitions;
    const plan = buildPlan(document, nodeDefinitions, { partitions });
    // Threads when a keyed stage has partitions to spread. A preview (replaced operators) and a
    // test clock stay on this thread: a function cannot cross to another.
    const run =
      this.threads &&
      plan.stages.some((s) => s.source === undefined && s.partitions > 1) &&
      !hasOverrides({ ...options, sourceOverrides: {} }) &&
      options.now === undefined &&
      options.onEdgeCrossing === undefined
        ? new ThreadedRun(document, plan, options, partitions)
        : new EmbeddedRun(document, plan, options);
    await run.start(); // throws when an operator cannot start: nothing is left running
    this.runs.add(run);
    void run.done.finally(() => this.runs.delete(run));
    return run;
  }

  async close(): Promise<void> {
    await Promise.all([...this.runs].map((r) => r.stop()));
  }
}
