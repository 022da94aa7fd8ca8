/**
 * Watermark alignment of a split source on BullMQ (docs/watermark-alignment.md, the shared rule
 * in runtime/source-alignment.ts). A partition publishes its alignment watermark with every
 * checkpoint (its counters carry watermark, done and idle: no write of its own), and before a
 * poll asks this view whether it may read: the peers' counters are read in one MGET, cached, and
 * read again only when the cache is older than REFRESH_MS, or, while the answer is no, older
 * than BLOCKED_REFRESH_MS. A partition that may read thus costs no Redis round trip per batch.
 */
import { alignmentWatermark, BULLMQ_DEFAULT_MAX_DRIFT_MS, lowestPeer, mayPoll, parseMaxDrift } from '../../runtime/source-alignment.js';
import type { RedisKeys } from './keys.js';
import type { RedisClient } from './redis-client.js';
import type { SourceCounters } from './source-checkpoints.js';

/** How old the peers' view may get while the partition reads (peers only move on, but one may wake from idle). */
const REFRESH_MS = 250;
/**
 * How old it may get while the partition waits: a YSB batch spans more event time than the
 * default drift, so a fast partition waits after most batches, and a longer wait is lost time.
 */
const BLOCKED_REFRESH_MS = 25;
/** How long a partition that may not read waits before asking again. */
export const ALIGNMENT_WAIT_MS = 10;

export class PartitionAlignment {
  /** Alignment watermark per partition, as last read. */
  private peers: number[] = [];
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pid: string,
    private readonly nodeId: string,
    private readonly partitions: number,
    readonly maxDriftMs: number,
  ) {}

  /** Whether alignment can ever hold a partition of this node back. */
  get active(): boolean {
    return this.partitions > 1 && Number.isFinite(this.maxDriftMs);
  }

  /** Whether `partition`, at `watermark`, may poll now. */
  async mayPoll(partition: number, watermark: number): Promise<boolean> {
    if (!this.active || !Number.isFinite(watermark)) return true;
    if (Date.now() - this.readAt >= REFRESH_MS) await this.refresh();
    if (mayPoll(watermark, lowestPeer(this.peers, partition), this.maxDriftMs)) return true;
    if (Date.now() - this.readAt < BLOCKED_REFRESH_MS) return false;
    await this.refresh();
    return mayPoll(watermark, lowestPeer(this.peers, partition), this.maxDriftMs);
  }

  /** One read for every partition of the node this process holds. */
  private refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    const raw = await this.redis.mget(
      Array.from({ length: this.partitions }, (_, p) => this.keys.sourceCounters(this.pid, this.nodeId, p)),
    );
    // No counters yet: a partition nobody has read (it holds nobody back until it has event time).
    this.peers = raw.map((r) => {
      if (!r) return Number.POSITIVE_INFINITY;
      const c = JSON.parse(r) as SourceCounters;
      return alignmentWatermark(c.watermark ?? Number.NaN, c.done, c.idle === true);
    });
    this.readAt = Date.now();
  }
}

/**
 * The deploy's watermark alignment drift (docs/watermark-alignment.md): the option, else
 * SLUICE_ALIGN_MAX_DRIFT_MS of the coordinator's environment, else the default; workers read it
 * from the deployment.
 */
export function deployedMaxDrift(option: number | undefined): number | 'off' {
  const drift =
    option !== undefined
      ? parseMaxDrift(option, 'the deploy option maxDriftMs')
      : parseMaxDrift(process.env.SLUICE_ALIGN_MAX_DRIFT_MS, 'SLUICE_ALIGN_MAX_DRIFT_MS', BULLMQ_DEFAULT_MAX_DRIFT_MS);
  return Number.isFinite(drift) ? drift : 'off';
}
