/** Undeploy, or a fresh deploy over an old one: a pipeline's queues and keys go. */
import type { Redis } from 'ioredis';
import type { Plan } from '../../compile/plan.js';
import type { RedisKeys } from './keys.js';
import type { QueueSet } from './queue-set.js';

/** Remove a pipeline's queues and keys (undeploy, or a fresh deploy over an old one). */
export async function cleanupPipeline(redis: Redis, keys: RedisKeys, pid: string, plan: Plan, queues: QueueSet): Promise<void> {
  // The marker first: a process still holding this run (paused, slow) now writes nothing more.
  await redis.del(keys.runMarker(pid));
  await redis.srem(keys.pipelines, pid);
  await redis.del(keys.pipeline(pid));
  await redis.publish(keys.deploys, pid);
  for (const s of plan.stages) {
    if (s.source !== undefined) continue;
    for (let p = 0; p < s.partitions; p++) await queues.queue(s.id, p).obliterate({ force: true });
  }
  for (const pattern of keys.pipelinePattern(pid)) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  }
}
