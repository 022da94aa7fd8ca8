/**
 * The embedded runner: every stage and partition in this process, exchanges as direct calls.
 * Sources are pulled in micro-batches; each batch is pushed through the chained operators and
 * across exchanges synchronously, then the source's watermark follows it. The loop yields to
 * the event loop every few milliseconds so a server in the same process stays responsive.
 */
import type { PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { buildPlan } from '../../compile/plan.js';
import type { RunHandle, Runner, RunOptions } from '../runner.js';
import { EmbeddedRun } from './embedded-run.js';

export class EmbeddedRunner implements Runner {
  readonly kind = 'embedded' as const;
  private readonly runs = new Set<EmbeddedRun>();

  async deploy(document: PipelineDocument, options: RunOptions): Promise<RunHandle> {
    const plan = buildPlan(document, nodeDefinitions, { partitions: options.partitions ?? 2 });
    const run = new EmbeddedRun(document, plan, options);
    await run.start(); // throws when an operator cannot start: nothing is left running
    this.runs.add(run);
    void run.done.finally(() => this.runs.delete(run));
    return run;
  }

  async close(): Promise<void> {
    await Promise.all([...this.runs].map((r) => r.stop()));
  }
}
