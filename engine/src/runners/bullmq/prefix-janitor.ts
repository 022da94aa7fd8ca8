/**
 * The janitor of runs nobody will resume: a `sluice-run-*` prefix whose coordinator lease
 * (run-lease.ts) is gone for good loses every key. Called by its own workers once their
 * `sluice run` died, and by every `sluice run`, `sluice worker` and `sluice serve` at start for
 * whatever an earlier run left (its workers killed too). A server's deployments are never swept:
 * they carry `ephemeral: false` and a restarted server resumes them.
 */
import { createRedis, delKeys, keyHolders, type RedisClient, scanAll } from './redis-client.js';
import type { DeployedPipeline } from './deployed-pipeline.js';
import { RedisKeys } from './keys.js';
import { closeRedis } from './redis-options.js';
import { RUN_PREFIX } from './run-lease.js';
import { LIVE_HEARTBEAT_MS } from './worker-list.js';

/** SCAN calls of the search at start (x 1000 keys each): a Redis with millions of keys is not walked to the end. */
const DISCOVERY_SCANS = 200;

/** Why a prefix is not swept, or undefined when it is dead. */
export async function whyAlive(redis: RedisClient, prefix: string, now = Date.now()): Promise<string | undefined> {
  const keys = new RedisKeys(prefix);
  if ((await redis.exists(keys.lease)) === 1) return 'its coordinator holds the lease';
  let leased = false;
  for (const pid of await redis.smembers(keys.pipelines)) {
    const raw = await redis.get(keys.pipeline(pid));
    const ephemeral = raw ? (JSON.parse(raw) as DeployedPipeline).ephemeral : undefined;
    if (ephemeral === false) return `pipeline ${pid} is a server's deployment`;
    if (ephemeral === true) leased = true;
  }
  // A deployment of a leased run: the lease alone says whether it lives (its workers beating
  // do not: they stop serving it). Otherwise (a version without leases, or nothing deployed
  // yet), a worker that beat a moment ago is taken to serve it.
  if (leased) return undefined;
  const beats = Object.values(await redis.hgetall(keys.workers)).map(Number);
  if (beats.some((t) => now - t <= LIVE_HEARTBEAT_MS)) return 'a worker still beats';
  return undefined;
}

/** Delete every key under `prefix` if it is dead; the number of keys deleted (0 when alive). */
export async function sweepPrefix(redis: RedisClient, prefix: string): Promise<number> {
  if ((await whyAlive(redis, prefix)) !== undefined) return 0;
  let deleted = 0;
  await scanAll(redis, `${globEscape(prefix)}:*`, async (found) => {
    // The lease is never deleted here: it is absent, and one appearing now is a new owner's.
    const mine = found.filter((k) => k !== `${prefix}:lease`);
    deleted += mine.length;
    await delKeys(redis, mine);
  });
  return deleted;
}

/** `sluice-run-*` prefixes holding keys, found by a bounded SCAN. */
export async function runPrefixes(redis: RedisClient, maxScans = DISCOVERY_SCANS): Promise<string[]> {
  const prefixes = new Set<string>();
  for (const node of keyHolders(redis)) {
    let cursor = '0';
    for (let i = 0; i < maxScans; i++) {
      const [next, found] = await node.scan(cursor, 'MATCH', `${RUN_PREFIX}*`, 'COUNT', 1000);
      for (const k of found) prefixes.add(k.slice(0, k.indexOf(':') < 0 ? k.length : k.indexOf(':')));
      cursor = next;
      if (cursor === '0') break;
    }
  }
  return [...prefixes];
}

/** Sweep every dead run prefix found; the lines to log (one per prefix swept). */
export async function sweepDeadRuns(redis: RedisClient, maxScans = DISCOVERY_SCANS): Promise<string[]> {
  const lines: string[] = [];
  for (const prefix of await runPrefixes(redis, maxScans)) {
    const n = await sweepPrefix(redis, prefix);
    if (n > 0) lines.push(`removed ${n} keys of ${prefix}, a run whose coordinator is gone`);
  }
  return lines;
}

/** How long the search at start may take: commands wait through a Redis outage, a start must not. */
const AT_START_BOUND_MS = 10_000;

/**
 * At a process's start: sweep what dead runs left, on a connection of its own. Never fails
 * nor holds up the start for long: a janitor that cannot work says so in one line.
 */
export async function sweepDeadRunsAt(redisUrl: string, log: (line: string) => void): Promise<void> {
  const redis = createRedis(redisUrl);
  redis.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), AT_START_BOUND_MS)));
  try {
    const work = sweepDeadRuns(redis);
    // Abandoned when late: its commands then fail on the closed connection, unheard.
    work.catch(() => undefined);
    const lines = await Promise.race([work, bound]);
    if (lines === 'late') log(`gave up looking for what dead runs left in Redis after ${AT_START_BOUND_MS / 1000} s`);
    else for (const line of lines) log(line);
  } catch (err) {
    log(`could not look for what dead runs left in Redis: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

/**
 * A worker of a run whose coordinator died: wait (up to `boundMs`) until the lease has expired
 * and no other worker of the run beats, then sweep the prefix. The last worker out sweeps
 * last, after its own last write.
 */
export async function sweepWhenLeaseExpires(
  redisUrl: string,
  prefix: string,
  boundMs: number,
): Promise<{ swept: number } | { alive: string }> {
  const redis = createRedis(redisUrl);
  redis.on('error', () => undefined);
  try {
    const deadline = Date.now() + boundMs;
    for (;;) {
      const why = await whyAlive(redis, prefix);
      if (why === undefined) return { swept: await sweepPrefix(redis, prefix) };
      if (Date.now() > deadline) return { alive: why };
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await closeRedis(redis);
  }
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
