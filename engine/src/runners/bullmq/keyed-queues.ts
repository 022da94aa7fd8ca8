/**
 * The keyed queues of one pipeline as one worker serves them: a TaskHost per (stage, partition),
 * kept for the life of the deploy (its cached state saves a reload when the queue comes back),
 * and a BullMQ Worker only on the queues this worker owns (queue-placement.ts), started and
 * closed as ownership moves.
 */
import { type Job, Queue, Worker } from 'bullmq';
import type { Plan, PlanStage } from '../../compile/plan.js';
import type { BatchJob } from './batch-codec.js';
import type { RedisKeys } from './keys.js';
import type { BullConnections } from './redis-client.js';
import type { JobGroupLimits, WaitingJobs } from './job-group.js';
import { traced } from './job-trace.js';
import { TaskHost, type TaskHostOptions } from './task-host.js';

export interface KeyedQueueOptions {
  pid: string;
  plan: Plan;
  keys: RedisKeys;
  connections: BullConnections;
  /** BullMQ worker options beyond the connection: timings, the name stamped on jobs. */
  workerOptions: { name: string; lockDuration: number; stalledInterval: number; maxStalledCount: number };
  /** Everything a TaskHost needs but its stage and partition; the drills' hooks get the job in hand. */
  task: Omit<TaskHostOptions, 'stage' | 'partition' | 'beforeSinkWrite' | 'afterStateRead' | 'waiting' | 'group'>;
  /** Bounds of the job groups a task applies as one step (job-group.ts). */
  group?: JobGroupLimits;
  beforeSinkWrite?: (job: () => Job<BatchJob> | undefined) => ((seqs: readonly number[]) => void) | undefined;
  afterStateRead?: (job: () => Job<BatchJob> | undefined, stage: PlanStage) => ((fresh: boolean) => void) | undefined;
  log: (line: string) => void;
}

/** Failures that are part of the protocol (retried by design), not worth a log line. */
const EXPECTED = new Set(['out-of-order', 'stale-task', 'stale-generation', 'claim-pending']);

interface Slot {
  name: string;
  host: TaskHost;
  current: Job<BatchJob> | undefined;
  worker: Worker<BatchJob> | undefined;
  /** Its previous Worker is still closing: no new one until then (one apply at a time per host). */
  closing: Promise<void> | undefined;
  /** Reads the queue's waiting jobs for job groups; opened on first use. */
  peek: Queue<BatchJob> | undefined;
}

/**
 * A queue's waiting jobs through BullMQ's getters: a read, so nothing in the queue changes; the
 * jobs a group applies complete later as duplicates, through the worker as any job does.
 */
export function waitingJobsOf(queue: () => Queue<BatchJob>): WaitingJobs {
  return {
    // Ascending: the wait list's tail first, the job BullMQ hands out next.
    ids: async (limit) => (await queue().getRanges(['wait'], 0, limit - 1, true)).map(String),
    jobs: (ids) => Promise.all(ids.map(async (id) => (await queue().getJob(id))?.data)),
  };
}

export class KeyedQueues {
  private readonly slots: Slot[] = [];
  /** Workers being closed (ownership moved): awaited by close(). */
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly o: KeyedQueueOptions) {
    for (const stage of o.plan.stages) {
      if (stage.source !== undefined) continue;
      for (let p = 0; p < stage.partitions; p++) {
        const slot: Slot = {
          name: o.keys.queue(o.pid, stage.id, p),
          host: undefined as unknown as TaskHost,
          current: undefined,
          worker: undefined,
          closing: undefined,
          peek: undefined,
        };
        const job = () => slot.current;
        slot.host = new TaskHost({
          ...o.task,
          stage,
          partition: p,
          waiting: this.waiting(slot),
          ...(o.group ? { group: o.group } : {}),
          beforeSinkWrite: o.beforeSinkWrite?.(job),
          afterStateRead: o.afterStateRead?.(job, stage),
        });
        this.slots.push(slot);
      }
    }
  }

  /** A slot's waiting jobs (waitingJobsOf), its reading Queue opened on first use. */
  private waiting(slot: Slot): WaitingJobs {
    return waitingJobsOf(
      () =>
        (slot.peek ??= new Queue<BatchJob>(slot.name, {
          connection: this.o.connections.get(),
          prefix: this.o.keys.prefix,
          skipMetasUpdate: true, // opening it writes nothing (queue-set.ts)
        })),
    );
  }

  /** How many queues the pipeline has (what placement divides). */
  get count(): number {
    return this.slots.length;
  }

  /** How many this worker serves now. */
  get serving(): number {
    return this.slots.filter((s) => s.worker).length;
  }

  /** Serve exactly the queues at `owned` (indices): start Workers on new ones, close the others. */
  place(owned: readonly number[]): void {
    const want = new Set(owned);
    this.slots.forEach((slot, i) => {
      if (want.has(i) && !slot.worker && !slot.closing) slot.worker = this.start(slot);
      else if (!want.has(i) && slot.worker) this.stop(slot);
    });
  }

  private start(slot: Slot): Worker<BatchJob> {
    const { o } = this;
    const worker = new Worker<BatchJob>(
      slot.name,
      async (job) => {
        slot.current = job;
        try {
          await traced(job, () => slot.host.apply(job.data));
        } finally {
          slot.current = undefined;
        }
      },
      // The name (worker id and pid) lands on each job it takes: drills find who holds a queue.
      { connection: o.connections.get(), prefix: o.keys.prefix, concurrency: 1, ...o.workerOptions },
    );
    worker.on('failed', (job, err) => {
      if (!EXPECTED.has((err as { code?: string }).code ?? '')) o.log(`${job?.queueName} batch failed: ${err.message}`);
    });
    worker.on('error', (err) => o.log(`worker error: ${err.message}`));
    return worker;
  }

  /** Let go of a queue: its in-flight job finishes first (BullMQ's close waits for it). */
  private stop(slot: Slot): void {
    const w = slot.worker!;
    slot.worker = undefined;
    const closed = w.close().catch((err) => this.o.log(`closing ${slot.name}: ${(err as Error).message}`));
    this.closing.add(closed);
    slot.closing = closed;
    void closed.finally(() => {
      this.closing.delete(closed);
      if (slot.closing === closed) slot.closing = undefined;
    });
  }

  async close(): Promise<void> {
    for (const slot of this.slots) if (slot.worker) this.stop(slot);
    await Promise.all([...this.closing]);
    await Promise.all(this.slots.map((s) => s.host.close()));
    await Promise.all(this.slots.map((s) => s.peek?.close()));
  }
}
