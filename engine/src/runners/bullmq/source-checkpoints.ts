/**
 * Source checkpoints (the source side of exactly-once): where each source partition is, what its
 * channels have sent, and the state of the operators chained to it, in one Redis value per
 * partition. Whoever takes the partition's lease next resumes from it (docs/bullmq-runner.md,
 * docs/source-partitions.md). A write is fenced: it succeeds only while the writer still holds
 * the partition's lease, so a worker that lost its lease (paused past it) cannot commit.
 */
import type { RedisClient } from './redis-client.js';
import { pack, unpack } from 'msgpackr';
import type { NodeCounts } from '@sluice/shared';
import type { ErrorSample } from '../../metrics/error-samples.js';
import type { StateSnapshot } from '@sluice/nodes/sdk';
import type { BatchJob } from './batch-codec.js';
import type { ExchangeState } from './exchange-buffer.js';
import type { RedisKeys } from './keys.js';
import { CoordinatorFenced } from './coordinator-fence.js';
import { RunStateLost } from './run-marker.js';

/**
 * KEYS: checkpoint, run marker, lease, counters, coordinator fence. ARGV: checkpoint, lease
 * value the writer holds ('' for the coordinator, which writes only while no worker holds the
 * partition), counters JSON, the lease's value once the partition is done ('' while it goes
 * on), the coordinator's leader token ('' for a worker, or a coordinator without one).
 * Written only while the marker exists (a checkpoint must never be recreated in a Redis that
 * lost the run, run-marker.ts), while the writer holds the lease, and (a coordinator) while no
 * newer leader took the run (coordinator-fence.ts). 1 written, 0 marker gone, -1 lease lost,
 * -2 coordinator fenced.
 */
const WRITE_CHECKPOINT = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if ARGV[5] ~= '' then
  local held = redis.call('GET', KEYS[5])
  if held and tonumber(held) > tonumber(ARGV[5]) then return -2 end
end
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then return -1 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[4], ARGV[3])
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4]) end
return 1
`;

type WriteFn = (
  key: string,
  marker: string,
  lease: string,
  counters: string,
  fence: string,
  cp: Buffer,
  holder: string,
  c: string,
  done: string,
  coordinatorToken: string,
) => Promise<number>;

/** A checkpoint write refused: the writer no longer holds the partition's lease (another worker took it). */
export class LeaseLost extends Error {
  readonly code = 'lease-lost';
}

export interface SourceCheckpoint {
  position: unknown;
  /**
   * Written before a batch's jobs are enqueued: where the batch started, how many records it
   * took, and the watermark and end it reported. Whoever resumes before the next checkpoint
   * re-reads exactly that batch with that watermark, so the jobs it enqueues again have the
   * same ids *and* the same content (a stale holder's late enqueue of them changes nothing).
   */
  pending?: { from: unknown; records: number; watermark?: number; done?: boolean; kept?: KeptBatch };
  exchange: ExchangeState;
  watermark: number;
  done: boolean;
  /**
   * Its last poll got fewer events than it asked for: it holds no peer back in watermark
   * alignment (partition-alignment.ts). Absent: false.
   */
  idle?: boolean;
  counters: Record<string, NodeCounts>;
  /** Error samples of the stage's nodes, as the counters (task-state-store.ts). */
  errors?: Record<string, ErrorSample[]>;
  /**
   * State of the stage's operators as of this checkpoint: a sink chained into the source stage
   * keeps its committed length here, so a resumed partition truncates what was written after
   * the checkpoint and writes the re-read batch once.
   */
  operators?: Record<string, StateSnapshot>;
  /** Edge counts of the stage's exchange (metrics). */
  edges?: Record<string, number>;
  /** Sparse batch-time histograms of the stage's nodes (metrics). */
  hist?: Record<string, [number, number][]>;
  /**
   * Set by a hot redeploy: the watermark (Infinity for an ended source) the partition sends
   * again through the new plan's stages when it is resumed (docs/hot-redeploy.md).
   */
  resend?: number;
}

/**
 * The records of a batch in flight, kept in the pending mark of a source that cannot read them
 * again (`replayable: false`, a queue): events and error records as batch-codec.ts packs them.
 */
export interface KeptBatch {
  events: Pick<BatchJob, 'n' | 'p'>;
  errors: Pick<BatchJob, 'n' | 'p'>;
  why: string[];
}

/** What the coordinator reads for metrics and completion: a partition's counters, small. */
export interface SourceCounters {
  nodes: Record<string, NodeCounts>;
  edges: Record<string, number>;
  watermark: number | null;
  done: boolean;
  /** SourceCheckpoint.idle: the partition's peers read it for watermark alignment. */
  idle?: boolean;
  errors?: Record<string, ErrorSample[]>;
  hist?: { batch: Record<string, [number, number][]>; latency: Record<string, [number, number][]> };
}

export function countersOf(cp: SourceCheckpoint): SourceCounters {
  const c: SourceCounters = {
    nodes: cp.counters,
    edges: cp.edges ?? {},
    watermark: Number.isFinite(cp.watermark) ? cp.watermark : null,
    done: cp.done,
    hist: { batch: cp.hist ?? {}, latency: {} },
  };
  if (cp.errors) c.errors = cp.errors;
  if (cp.idle) c.idle = true;
  return c;
}

export class SourceCheckpoints {
  private readonly writeScript: WriteFn;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pid: string,
  ) {
    if (!('sluiceWriteCheckpoint' in redis)) redis.defineCommand('sluiceWriteCheckpoint', { numberOfKeys: 5, lua: WRITE_CHECKPOINT });
    this.writeScript = (redis as unknown as { sluiceWriteCheckpoint: WriteFn }).sluiceWriteCheckpoint.bind(redis);
  }

  async read(nodeId: string, partition = 0): Promise<SourceCheckpoint | undefined> {
    const raw = await this.redis.getBuffer(this.keys.sourceCheckpoint(this.pid, nodeId, partition));
    return raw ? (unpack(raw) as SourceCheckpoint) : undefined;
  }

  /**
   * Throws RunStateLost when the run marker is gone, LeaseLost when `holder` (the lease value
   * the writer holds; '' for the coordinator) no longer holds the partition. A done checkpoint
   * also marks the lease done (`doneValue`), so nobody takes the partition again. A coordinator
   * passes its leader token (`coordinatorToken`): CoordinatorFenced when a newer leader took the run.
   */
  async write(
    nodeId: string,
    partition: number,
    cp: SourceCheckpoint,
    holder: string,
    doneValue = '',
    coordinatorToken = '',
  ): Promise<void> {
    const marker = this.keys.runMarker(this.pid);
    const lease = this.keys.sourceLease(this.pid, nodeId, partition);
    const r = await this.writeScript(
      this.keys.sourceCheckpoint(this.pid, nodeId, partition),
      marker,
      lease,
      this.keys.sourceCounters(this.pid, nodeId, partition),
      this.keys.coordinatorFence(this.pid),
      pack(cp),
      holder,
      JSON.stringify(countersOf(cp)),
      cp.done ? doneValue : '',
      coordinatorToken,
    );
    if (r === 0) throw new RunStateLost(marker);
    if (r === -2) throw new CoordinatorFenced(`checkpoint of ${nodeId}#${partition}`, coordinatorToken, 'newer');
    if (r < 0) throw new LeaseLost(`source ${nodeId} partition ${partition}: the lease was taken over; this checkpoint is refused`);
  }

  /** Before a batch's jobs go out: `last` (or an empty checkpoint at `from`) with the pending mark. */
  async markPending(
    nodeId: string,
    partition: number,
    last: SourceCheckpoint | undefined,
    pending: NonNullable<SourceCheckpoint['pending']>,
    holder: string,
  ): Promise<void> {
    const base: SourceCheckpoint = last ?? {
      position: pending.from,
      exchange: { seq: {}, sentWm: {} },
      watermark: Number.NEGATIVE_INFINITY,
      done: false,
      counters: {},
    };
    await this.write(nodeId, partition, { ...base, done: false, pending }, holder);
  }

  /** A partition's checkpoint, counters and lease: what a coordinator removes (coordinator-fence.ts) when a swap drops it. */
  keysOf(nodeId: string, partition: number): string[] {
    return [
      this.keys.sourceCheckpoint(this.pid, nodeId, partition),
      this.keys.sourceCounters(this.pid, nodeId, partition),
      this.keys.sourceLease(this.pid, nodeId, partition),
    ];
  }
}
