/**
 * Watermark alignment of a split source (docs/watermark-alignment.md): the partitions of one
 * source node (`parallelism` > 1) are read in step, so that none runs more than a drift ahead,
 * in event time, of the slowest partition that is still reading. Without it one partition
 * polled faster than another (a thread or a worker that gets more CPU) runs minutes ahead; a
 * keyed window downstream closes its windows only at the min of its inputs' watermarks, so it
 * keeps every window in between open: state, checkpoints and lookups grow with the skew, and
 * results come out late. Results do not depend on it (lateness is decided per event from its own
 * source's watermark, docs/watermarks-and-lateness.md); only memory and timing do.
 *
 * A partition reports `alignmentWatermark`: its watermark while it is reading, +Infinity when it
 * must not hold the others back: ended, idle (its last poll got less than it asked: a quiet
 * broker partition, a rate limit), or without event time yet (a watermark that is not finite).
 */

/** How far ahead (event-time ms) a partition may read past the slowest reading one, by default. */
export const DEFAULT_MAX_DRIFT_MS = 10_000;
/**
 * The default on BullMQ. Its batches are 10x the embedded runner's (10,000 events): on YSB split
 * 4 ways one batch spans 40 s of event time, so a 10 s drift moved the partitions in lockstep,
 * batch by batch, and cost 16-55 % more worker CPU per event (3x the task commits); 100 s cost
 * about what no alignment costs and still bounded the skew to about 10 open windows per key
 * (bench/results/alignment-bullmq-s18.md).
 */
export const BULLMQ_DEFAULT_MAX_DRIFT_MS = 100_000;

/** What one source partition tells its peers: the watermark that may hold them back. */
export function alignmentWatermark(watermark: number, ended: boolean, idle: boolean): number {
  if (ended || idle || !Number.isFinite(watermark)) return Number.POSITIVE_INFINITY;
  return watermark;
}

/**
 * Whether a partition at `watermark` may poll, given the lowest alignment watermark of its
 * peers. A partition without a finite watermark always may (it has read nothing timed yet), and
 * the slowest reading partition always may, so the group as a whole never stops.
 */
export function mayPoll(watermark: number, peersLowest: number, maxDriftMs: number): boolean {
  if (!Number.isFinite(watermark) || !Number.isFinite(peersLowest)) return true;
  return watermark <= peersLowest + maxDriftMs;
}

/** The lowest alignment watermark of the peers: every entry of `reported` but the asker's own (`self`). */
export function lowestPeer(reported: readonly number[], self: number): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reported.length; i++) if (i !== self && reported[i]! < lowest) lowest = reported[i]!;
  return lowest;
}

/** A valid drift from a deploy option or an environment variable; undefined: `fallback` (the runner's default); Infinity: off. */
export function parseMaxDrift(value: string | number | undefined, where: string, fallback = DEFAULT_MAX_DRIFT_MS): number {
  if (value === undefined || value === '') return fallback;
  if (value === 'off' || value === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${where}: watermark alignment drift must be a number of milliseconds >= 0, or "off" (got ${String(value)})`);
  return n;
}
