/**
 * A job group: the batch job a task's worker holds plus the jobs already waiting behind it in
 * its queue that come next in their channels, applied as one step under one claim and one
 * commit (docs/bullmq-runner.md, "Round trips per job"). The claim pins the group by its key
 * (every member's edge, from-partition and sequence number), so whoever applies that version
 * applies exactly these jobs.
 */
import type { Plan, PlanStage } from '../../compile/plan.js';
import { Task } from '../../runtime/task.js';
import type { BatchJob } from './batch-codec.js';
import { jobId } from './keys.js';

/** How much one step may take: jobs and events (the held job always goes, whatever its size). */
export interface JobGroupLimits {
  jobs: number;
  events: number;
}

/**
 * 16 jobs: past that the claim, enqueue and commit are a small share of a step; 40,000 events:
 * four full source batches, a step's memory and its event-loop block stay bounded (a worker that
 * blocks too long misses lock renewals).
 */
export const JOB_GROUP_DEFAULTS: JobGroupLimits = { jobs: 16, events: 40_000 };

/** The queue a task's jobs wait in, as the task host reads it (keyed-queues.ts). */
export interface WaitingJobs {
  /** Ids of the waiting jobs, next to be taken first, at most `limit`. */
  ids(limit: number): Promise<string[]>;
  /** The jobs of these ids, undefined for one that is gone. */
  jobs(ids: string[]): Promise<(BatchJob | undefined)[]>;
}

/** One member of a group as its key names it. */
export interface GroupMember {
  edge: string;
  from: number;
  seq: number;
}

/** What the claim pins: every member in the order it is applied. */
export function groupKey(jobs: readonly GroupMember[]): string {
  return JSON.stringify(jobs.map((j) => [j.edge, j.from, j.seq]));
}

/** The members a claim pinned, or undefined for a key that is not a group's (a start's). */
export function parseGroupKey(key: string): GroupMember[] | undefined {
  if (!key.startsWith('[')) return undefined;
  const raw = JSON.parse(key) as [string, number, number][];
  return raw.map(([edge, from, seq]) => ({ edge, from, seq }));
}

/** The input channels of a task: an exchange edge into its stage, from each upstream partition. */
export function inputChannels(plan: Plan, stage: PlanStage): { edge: string; from: number }[] {
  const channels: { edge: string; from: number }[] = [];
  for (const e of plan.edges) {
    if (!e.exchange || plan.nodes.get(e.target)!.stage !== stage.id) continue;
    const upstream = plan.stages[plan.nodes.get(e.source)!.stage]!;
    for (let from = 0; from < upstream.partitions; from++) channels.push({ edge: e.id, from });
  }
  return channels;
}

/**
 * Which waiting ids join `held`: those that are the next sequence number of their channel
 * (counting the members taken before them), in queue order, up to `max` more. Others (a
 * duplicate, one that came early) are skipped and taken on their own later.
 */
export function pickNext(
  held: BatchJob,
  applied: Readonly<Record<string, number>>,
  channels: readonly { edge: string; from: number }[],
  waiting: readonly string[],
  max: number,
): (GroupMember & { id: string })[] {
  const next = new Map<string, GroupMember>();
  const expect = (edge: string, from: number, seq: number) => next.set(jobId(edge, from, held.to, seq), { edge, from, seq });
  for (const { edge, from } of channels) {
    const after = edge === held.edge && from === held.from ? held.seq : (applied[Task.channelId(edge, from)] ?? 0);
    expect(edge, from, after + 1);
  }
  const picked: (GroupMember & { id: string })[] = [];
  for (const id of waiting) {
    if (picked.length >= max) break;
    const m = next.get(id);
    if (!m) continue;
    next.delete(id);
    picked.push({ id, ...m });
    expect(m.edge, m.from, m.seq + 1);
  }
  return picked;
}

/** The job is the member its id promised (ids of different edges can collide: jobId encodes lossily). */
export function isMember(job: BatchJob | undefined, m: GroupMember, to: number): job is BatchJob {
  return job !== undefined && job.edge === m.edge && job.from === m.from && job.seq === m.seq && job.to === to;
}
