/**
 * Which worker serves which keyed queue. Every queue has global concurrency 1, so any worker may
 * serve any queue safely (claims and commits are fenced: task-host.ts); placement only decides
 * where the work lands. Without it, BullMQ hands a queue's next job to the worker that finished
 * the previous one, so one worker ended up running every keyed partition while the others
 * idled (bench:scale: 4 workers at a quarter core each, one saturated, three 75 % idle), and a
 * partition moving between workers reloads its state. Here each queue of a pipeline has one
 * owner: the live serving workers, sorted by id, take the pipeline's queues round-robin (from an
 * offset per pipeline, so several pipelines do not all start on the same worker).
 *
 * Liveness is judged by *seeing a worker's beat change* within LIVE_SERVING_MS on this
 * process's clock, not by comparing the beat's timestamp with this clock: two machines whose
 * clocks disagree still agree on who is live, so no queue is left without an owner for good.
 * While views differ (a worker joined or died in the last few seconds) a queue may briefly have
 * two owners (harmless: one job at a time, fenced) or none (its jobs wait until views agree).
 * A worker that dies is dropped once its beat has not changed for LIVE_SERVING_MS; its active
 * job comes back through BullMQ's stall check, run by the queue's new owner.
 */

/** A serving worker whose beat has not changed for this long is taken as gone. */
export const LIVE_SERVING_MS = 3000;

export class ServingWorkers {
  /** Worker id -> [last beat value seen, when it was first seen with that value (this clock)]. */
  private readonly seen = new Map<string, [string, number]>();

  constructor(private readonly self: string | undefined) {}

  /**
   * The live workers that serve queues, sorted, this one included (unless it serves none).
   * `beats`: the workers hash (id -> beat); `infos`: worker-info (id -> identity JSON), where
   * `"queues": false` marks a worker that serves no keyed queue.
   */
  observe(beats: Record<string, string>, infos: Record<string, string>, now = Date.now()): string[] {
    const live: string[] = [];
    for (const [id, beat] of Object.entries(beats)) {
      const prev = this.seen.get(id);
      // First sight: the beat's own time decides (once); after that, only whether it changes.
      if (!prev) this.seen.set(id, [beat, Math.min(now, Number(beat) || 0)]);
      else if (prev[0] !== beat) this.seen.set(id, [beat, now]);
      const since = this.seen.get(id)![1];
      if (id === this.self || now - since <= LIVE_SERVING_MS) {
        if (servesQueues(infos[id])) live.push(id);
      }
    }
    for (const id of this.seen.keys()) if (!(id in beats)) this.seen.delete(id);
    if (this.self !== undefined && !live.includes(this.self)) live.push(this.self);
    return live.sort();
  }
}

function servesQueues(raw: string | undefined): boolean {
  if (!raw) return true;
  try {
    return (JSON.parse(raw) as { queues?: unknown }).queues !== false;
  } catch {
    return true;
  }
}

/** The queues (by index in `queueCount`) that `self` owns among `live` (sorted) for pipeline `pid`. */
export function ownedQueueIndices(pid: string, queueCount: number, live: readonly string[], self: string): number[] {
  const at = live.indexOf(self);
  if (at < 0 || live.length === 0) return [];
  const offset = fnv(pid) % live.length;
  const out: number[] = [];
  for (let i = 0; i < queueCount; i++) if ((i + offset) % live.length === at) out.push(i);
  return out;
}

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
