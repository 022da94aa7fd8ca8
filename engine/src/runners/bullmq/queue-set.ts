/** The producer side: BullMQ Queue objects of one pipeline, created on first use. */
import { Queue } from 'bullmq';
import type { BatchJob } from './batch-codec.js';
import { BATCH_JOB_OPTIONS } from './deployed-pipeline.js';
import type { OutgoingJob } from './exchange-buffer.js';
import { jobId, type RedisKeys } from './keys.js';
import { retryOnLostScripts } from './lost-scripts.js';
import { BullConnections, delKeys, type RedisClient, scanAll } from './redis-client.js';
import { RunStateLost } from './run-marker.js';

/** A marker check asked within this long (and answered) is taken as current (see add). */
const PROMPT_MS = 1000;
/** A marker seen by a fenced script this recently needs no GET before an enqueue (see add). */
const SEEN_FRESH_MS = 250;

/** Jobs that landed in their queues while the run marker was not yet asked again (QueueSet.addUnconfirmed). */
export interface Landed {
  /** The marker is gone: delete the queues these jobs went to. */
  remove(): Promise<void>;
  /** Ask the marker as add() does after the jobs: gone, remove them and throw RunStateLost. */
  confirm(): Promise<void>;
}

/**
 * Run `write`, whose script checks the run marker first (a task's commit, a source's
 * checkpoint), after jobs landed: its check stands in for add()'s one after the jobs. It found
 * the marker gone: the jobs are removed. It failed otherwise, perhaps before asking (a step
 * before the script threw, Redis went away): the marker is asked as add() would.
 */
export async function confirmedBy<T>(landed: Landed | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (landed && err instanceof RunStateLost) await landed.remove();
    else if (landed)
      await landed.confirm().catch((confirmErr: unknown) => {
        if (confirmErr instanceof RunStateLost) throw confirmErr;
      });
    throw err;
  }
}

export class QueueSet {
  private readonly queues = new Map<string, Queue<BatchJob>>();
  private readonly connections: BullConnections;
  /** The connection is this set's own (closed with it), not a worker's shared one. */
  private readonly ownsConnections: boolean;

  /**
   * `redis`: a URL (the set opens and closes its own connection) or a worker's BullConnections,
   * shared by the runs it hosts and closed by its owner: each new connection makes BullMQ define
   * all its Lua scripts again (a SHA-1 of each, then each sent in full once).
   */
  constructor(
    redis: string | BullConnections,
    private readonly keys: RedisKeys,
    private readonly pid: string,
  ) {
    this.ownsConnections = typeof redis === 'string';
    this.connections = typeof redis === 'string' ? new BullConnections(redis) : redis;
  }

  queue(stage: number, partition: number): Queue<BatchJob> {
    const name = this.keys.queue(this.pid, stage, partition);
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue<BatchJob>(name, {
        connection: this.connections.get(),
        prefix: this.keys.prefix,
        defaultJobOptions: BATCH_JOB_OPTIONS,
        // Opening a queue must write nothing: a process holding a lost or undeployed run would
        // recreate its keys. The coordinator writes what the queue needs (setGlobalConcurrency).
        skipMetasUpdate: true,
      });
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Enqueue, if the run marker still exists: a process that lost its Redis state, or woke after
   * an undeploy, must not recreate the pipeline's queues (RunStateLost). The check is one GET
   * before the jobs go, on the queue's own connection. `markerSeenAt`: when the caller asked a
   * script that checks the marker (a task's claim, a source's pending mark) and got a prompt
   * yes; within SEEN_FRESH_MS of asking, the GET would say no more, so it is skipped (a round
   * trip per job saved). The marker is asked again once the jobs landed: jobs that raced an
   * undeploy are removed by the process that wrote them.
   */
  async add(jobs: OutgoingJob[], markerSeenAt?: number): Promise<void> {
    await (await this.addUnconfirmed(jobs, markerSeenAt))?.confirm();
  }

  /**
   * add() without the marker check after the jobs landed: the caller's next write is a script
   * that checks the marker (a task's commit, a source's checkpoint) and stands in for it, one
   * round trip fewer per job (confirmedBy). Undefined when there was nothing to add.
   */
  async addUnconfirmed(jobs: OutgoingJob[], markerSeenAt?: number): Promise<Landed | undefined> {
    if (jobs.length === 0) return undefined;
    const first = this.queue(jobs[0]!.targetStage, jobs[0]!.targetPartition);
    const marker = this.keys.runMarker(this.pid);
    const client = await first.backend.client;
    // A reply that took long may have waited in the socket while this process was paused (an
    // undeploy may have happened meanwhile): ask again until one comes back promptly.
    for (;;) {
      if (markerSeenAt !== undefined && Date.now() - markerSeenAt < SEEN_FRESH_MS) break;
      const asked = Date.now();
      if ((await client.get(marker)) === null) throw new RunStateLost(marker);
      if (Date.now() - asked < PROMPT_MS) break;
    }
    const byQueue = new Map<Queue<BatchJob>, OutgoingJob[]>();
    for (const j of jobs) {
      const q = this.queue(j.targetStage, j.targetPartition);
      byQueue.set(q, [...(byQueue.get(q) ?? []), j]);
    }
    // Fixed job ids make a repeated addBulk add nothing twice (lost-scripts.ts).
    await Promise.all(
      [...byQueue].map(async ([q, list]) =>
        retryOnLostScripts((await q.backend.client) as unknown as RedisClient, () =>
          q.addBulk(list.map((j) => ({ name: 'batch', data: j.job, opts: { jobId: jobId(j.job.edge, j.job.from, j.job.to, j.job.seq) } }))),
        ),
      ),
    );
    // The check before can be overtaken: an undeploy between it (or a fresh marker seen by a
    // script) and the jobs landing, or a pause in between. Asked after the jobs landed: a marker
    // still there means they came before the undeploy, whose cleanup removes them; none means
    // they came after it, and this process removes the queues it wrote to itself.
    const redis = client as unknown as RedisClient;
    const remove = async () => {
      for (const q of byQueue.keys()) await scanAll(redis, `${this.keys.prefix}:${q.name}:*`, (found) => delKeys(redis, found), 500);
    };
    return {
      remove,
      confirm: async () => {
        if ((await client.get(marker)) !== null) return;
        await remove();
        throw new RunStateLost(marker);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    if (this.ownsConnections) await this.connections.close();
  }
}
