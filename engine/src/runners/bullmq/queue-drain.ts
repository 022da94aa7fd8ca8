/** Waiting for a pipeline's partition queues to empty: before a hot swap, and on stop. */
import type { Plan } from '../../compile/plan.js';
import type { QueueSet } from './queue-set.js';

type JobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'waiting-children';

/** Batches held by the plan's partition queues in these states (upstream stages first). */
export async function pendingJobs(plan: Plan, queues: QueueSet, states: JobState[]): Promise<number> {
  let pending = 0;
  for (const s of plan.stages) {
    if (s.source !== undefined) continue;
    for (let p = 0; p < s.partitions; p++) {
      const c = await queues.queue(s.id, p).getJobCounts(...states);
      pending += Object.values(c).reduce((a, b) => a + b, 0);
    }
  }
  return pending;
}

/**
 * Hot swap: true once no partition queue holds a batch, twice in a row (stage ids follow the
 * topological order, so a stage found empty gets nothing more from upstream); false on timeout
 * or when `stopping()` turns true.
 */
export async function waitDrained(plan: Plan, queues: QueueSet, timeoutMs: number, stopping: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let clean = 0;
  while (Date.now() < deadline && !stopping()) {
    const pending = await pendingJobs(plan, queues, ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
    if (pending === 0 && ++clean >= 2) return true;
    if (pending > 0) clean = 0;
    await sleep(pending === 0 ? 20 : 50);
  }
  return false;
}

/** Batches (with events) a stop left unprocessed when its drain ran out of time. */
export interface Discarded {
  batches: number;
  events: number;
}

const DRAINED: JobState[] = ['waiting', 'active', 'delayed', 'prioritized'];

/**
 * On stop: let what is already queued be processed (nothing in flight is lost), within a bound.
 * What is still queued at the deadline is removed with the queues: counted here, so the stop
 * answer can say so instead of dropping computed results without a word.
 */
export async function drainQueues(plan: Plan, queues: QueueSet, timeoutMs: number): Promise<Discarded | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await pendingJobs(plan, queues, DRAINED)) === 0) return undefined;
    await sleep(50);
  }
  const left: Discarded = { batches: 0, events: 0 };
  for (const s of plan.stages) {
    if (s.source !== undefined) continue;
    for (let p = 0; p < s.partitions; p++) {
      for (const job of await queues.queue(s.id, p).getJobs(DRAINED)) {
        if (!job) continue;
        left.batches++;
        // A combiner's rows stand for more events than they are (BatchJob.e).
        const data = job.data as { n?: number; e?: number };
        left.events += data.e ?? data.n ?? 0;
      }
    }
  }
  return left.batches > 0 ? left : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
