/**
 * A worker that cannot build a task (an operator's create, restore or onStart threw: a file
 * refused by path confinement, a table that does not exist) reports the StartFailure under the
 * run's key; the coordinator's loops read it and fail the run with it, as the embedded runner
 * fails the deploy, instead of the batch being retried for ever while the run hangs.
 */
import type { RedisClient } from './redis-client.js';
import { StartFailure } from '../../runtime/node-errors.js';
import type { RedisKeys } from './keys.js';

interface Report {
  generation: string | undefined;
  nodeId: string;
  message: string;
}

/**
 * Written only while the run marker exists (one script, so atomically): a worker that fails
 * after the run was undeployed would otherwise leave the key behind for ever.
 */
const REPORT_WHILE_LIVE = "if redis.call('exists', KEYS[1]) == 1 then redis.call('set', KEYS[2], ARGV[1]) end return 0";

type ReportFn = (marker: string, key: string, report: string) => Promise<number>;

export async function reportStartFailure(
  redis: RedisClient,
  keys: RedisKeys,
  pid: string,
  generation: string | undefined,
  failure: StartFailure,
): Promise<void> {
  if (!('sluiceReportStartFailure' in redis)) redis.defineCommand('sluiceReportStartFailure', { numberOfKeys: 2, lua: REPORT_WHILE_LIVE });
  const report: Report = { generation, nodeId: failure.nodeId, message: failure.message };
  await (redis as unknown as { sluiceReportStartFailure: ReportFn }).sluiceReportStartFailure(
    keys.runMarker(pid),
    keys.startFailure(pid),
    JSON.stringify(report),
  );
}

/** How often the coordinator's loops look (they also run every few milliseconds). */
const CHECK_EVERY_MS = 250;

export class StartFailureWatch {
  // Not 0: performance.now() counts from the process start, which may be under 250 ms ago.
  private lastCheck = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pid: string,
  ) {}

  /** Throws the StartFailure a worker reported for this deploy `generation`, looking at most every 250 ms. */
  async checkNowAndThen(generation: string): Promise<void> {
    if (performance.now() - this.lastCheck < CHECK_EVERY_MS) return;
    this.lastCheck = performance.now();
    const raw = await this.redis.get(this.keys.startFailure(this.pid));
    if (raw === null) return;
    const report = JSON.parse(raw) as Report;
    // A worker still on the generation before a hot redeploy speaks of a task that no longer runs.
    if (report.generation === undefined || report.generation === generation) throw new StartFailure(report.nodeId, report.message);
  }
}
