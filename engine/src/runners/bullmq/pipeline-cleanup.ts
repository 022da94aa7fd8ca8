/** Undeploy, or a fresh deploy over an old one: a pipeline's queues and keys go. */
import { delKeys, type RedisClient, scanAll } from './redis-client.js';
import type { Plan } from '../../compile/plan.js';
import type { RedisKeys } from './keys.js';
import type { QueueSet } from './queue-set.js';
import type { CoordinatorFence } from './coordinator-fence.js';

/**
 * Remove a pipeline's queues and keys (undeploy, or a fresh deploy over an old one). `fence`:
 * the coordinator's (coordinator-fence.ts); when a newer leader took the run, nothing is removed
 * (CoordinatorFenced).
 */
export async function cleanupPipeline(
  redis: RedisClient,
  keys: RedisKeys,
  pid: string,
  plan: Plan,
  queues: QueueSet,
  fence: CoordinatorFence,
): Promise<void> {
  // The marker first: a process still holding this run (paused, slow) now writes nothing more.
  await fence.unmark('undeploy', [keys.pipeline(pid)]);
  await redis.srem(keys.pipelines, pid);
  await redis.del(keys.pipeline(pid));
  await redis.publish(keys.deploys, pid);
  for (const s of plan.stages) {
    if (s.source !== undefined) continue;
    for (let p = 0; p < s.partitions; p++) await queues.queue(s.id, p).obliterate({ force: true });
  }
  for (const pattern of keys.pipelinePattern(pid)) await deleteMatching(redis, pattern);
}

/** How long an undeploy waits for the workers to let go of the pipeline's queues. */
const RELEASE_WAIT_MS = 3000;

/**
 * After an undeploy: a worker still serving the queues until it hears of it (up to its 0.5 s
 * poll) keeps BullMQ's housekeeping going (`meta`, `stalled-check`). Wait until every live
 * worker has synced since (its heartbeat is newer), bounded, then remove what they wrote.
 */
export async function sweepAfterRelease(redis: RedisClient, keys: RedisKeys, pid: string, plan: Plan): Promise<void> {
  const since = Date.now();
  const deadline = since + RELEASE_WAIT_MS;
  while (Date.now() < deadline) {
    const beats = Object.values(await redis.hgetall(keys.workers)).map(Number);
    // Workers silent for over 5 s are dead or paused: a paused one is gated by the run marker.
    if (beats.every((t) => t > since || since - t > 5000)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const s of plan.stages) {
    if (s.source !== undefined) continue;
    for (let p = 0; p < s.partitions; p++) await deleteMatching(redis, `${keys.prefix}:${keys.queue(pid, s.id, p)}:*`);
  }
}

async function deleteMatching(redis: RedisClient, pattern: string): Promise<void> {
  await scanAll(redis, pattern, (found) => delKeys(redis, found), 500);
}
