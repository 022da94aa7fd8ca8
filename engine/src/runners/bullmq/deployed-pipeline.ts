/** What the coordinator writes to Redis for workers: enough to rebuild the plan anywhere. */
import type { ParamValue, PipelineDocument } from '@sluice/shared';
import type { JobGroupLimits } from './job-group.js';

export interface DeployedPipeline {
  pid: string;
  /** Changes on every fresh deploy: workers drop tasks of an older generation. */
  generation: string;
  document: PipelineDocument;
  baseDir: string;
  /** Folders its files must really be in (RunOptions.fileRoots); absent: not confined. */
  fileRoots?: readonly string[];
  params: Record<string, ParamValue>;
  partitions: number;
  batchSize: number;
  /**
   * True for a run nobody will resume (`sluice run`): it lives as long as its prefix's lease
   * (keys.lease). False for a server's deployment, which a restarted server resumes; absent in
   * what an older version wrote.
   */
  ephemeral?: boolean;
  /** Backlog (batches waiting per keyed partition) above which source partitions pause polling. */
  highWaterJobs?: number;
  /** Bounds of the job groups a keyed task applies as one step (job-group.ts; absent: its defaults). */
  jobGroup?: JobGroupLimits;
  /**
   * Watermark alignment of split sources (RunOptions.maxDriftMs): ms, or 'off' (JSON has no
   * Infinity); absent (an older deploy): the default.
   */
  maxDriftMs?: number | 'off';
  /** Pause of a source partition that found nothing to read, ms. */
  batchDelayMs?: number;
  /**
   * Who runs the source partitions: workers, under leases (default), or the coordinator itself
   * (a run whose sources are replaced in memory: a preview, a benchmark's events).
   */
  sourcesOn?: 'workers' | 'coordinator';
  /** The server records source events for previews: workers append what they read to the Redis recording. */
  record?: boolean;
}

/** Job options shared by producers: retried batches keep their id; completed ones are kept a while for dedup. */
export const BATCH_JOB_OPTIONS = {
  attempts: 1_000_000,
  backoff: { type: 'fixed', delay: 50 },
  removeOnComplete: { count: 2_000 },
  removeOnFail: { count: 1_000 },
} as const;

/** Worker timings: a killed worker's job is handed to another within a few seconds. */
export const WORKER_TIMINGS = {
  lockDuration: 10_000,
  stalledInterval: 2_000,
  maxStalledCount: 1_000_000,
} as const;
