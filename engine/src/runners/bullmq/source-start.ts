/**
 * A deploy answers once its sources have started (docs/source-partitions.md, "Start failures"):
 * each worker marks a source partition started once its operators are built and restored, or
 * reports a StartFailure (start-failure-report.ts); the coordinator's start waits for either,
 * for every partition a live worker can take, bounded. So a source that cannot start (a path
 * refused, a broker unreachable) fails the deploy with its node and cause, not the run later.
 */
import type { RedisClient } from './redis-client.js';
import type { Plan } from '../../compile/plan.js';
import type { RedisKeys } from './keys.js';
import { sleep } from './queue-drain.js';
import { partitionName, type SourceLeases, sourcePartitions } from './source-lease.js';
import type { StartFailureWatch } from './start-failure-report.js';
import { countLiveWorkersWith } from './worker-list.js';

/** Written only while the run marker exists: a worker late after an undeploy leaves nothing behind. */
const MARK_WHILE_LIVE = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end return 0";

type MarkFn = (marker: string, key: string, field: string, generation: string) => Promise<number>;

/** A worker: the partition `name` (`node#p`) of `generation` is built and about to read. */
export async function markSourceStarted(redis: RedisClient, keys: RedisKeys, pid: string, name: string, generation: string): Promise<void> {
  if (!('sluiceMarkSourceStarted' in redis)) redis.defineCommand('sluiceMarkSourceStarted', { numberOfKeys: 2, lua: MARK_WHILE_LIVE });
  await (redis as unknown as { sluiceMarkSourceStarted: MarkFn }).sluiceMarkSourceStarted(
    keys.runMarker(pid),
    keys.sourceStarted(pid),
    name,
    generation,
  );
}

/** How long a deploy waits for its sources: 10 s, or `SLUICE_DEPLOY_START_WAIT_MS` (0: not at all). */
export function deployStartWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.SLUICE_DEPLOY_START_WAIT_MS);
  return env.SLUICE_DEPLOY_START_WAIT_MS !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : 10_000;
}

/** A worker that beat within this long can take a partition now. */
const LIVE_MS = 3000;

/**
 * Until every source partition that a live worker could take has started (or ended), or the
 * wait is over; throws the StartFailure a worker reported for `generation`. Partitions no live
 * worker can take (none running, or none with the placement's labels) are not waited for: they
 * start when such a worker does, and a failure then fails the run.
 */
export async function waitSourcesStarted(o: {
  redis: RedisClient;
  keys: RedisKeys;
  pid: string;
  plan: Plan;
  generation: string;
  leases: SourceLeases;
  failures: StartFailureWatch;
  timeoutMs: number;
}): Promise<void> {
  const parts = sourcePartitions(o.plan.stages);
  const deadline = Date.now() + o.timeoutMs;
  const takers = new Map<string, boolean>();
  for (const p of parts) {
    const labels = o.plan.nodes.get(p.nodeId)!.placement ?? [];
    const key = [...labels].sort().join(',');
    if (!takers.has(key)) takers.set(key, (await countLiveWorkersWith(o.redis, o.keys, labels, LIVE_MS)) > 0);
  }
  const waited = parts.filter((p) => takers.get([...(o.plan.nodes.get(p.nodeId)!.placement ?? [])].sort().join(',')));
  while (waited.length > 0 && Date.now() < deadline) {
    await o.failures.checkNowAndThen(o.generation);
    const [started, views] = await Promise.all([o.redis.hgetall(o.keys.sourceStarted(o.pid)), o.leases.view(waited)]);
    if (waited.every((p, i) => started[partitionName(p)] === o.generation || views[i]!.kind === 'done')) return;
    await sleep(50);
  }
  await o.failures.checkNowAndThen(o.generation);
}
