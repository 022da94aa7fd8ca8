/**
 * source.redis-stream: reads a stream by position, like Flink's Kafka source reads a partition
 * by offset. The position is the last entry id read; the runtime checkpoints it with the rest of
 * the pipeline and seeks back to it on a restart, so no consumer group is needed (nothing is
 * acknowledged or deleted in Redis, and several pipelines may read the same stream).
 */
import { durationMs, type Event } from '@sluice/shared';
import type { Redis } from 'ioredis';
import type { SourceBatch, SourceFactory, SourceOperator } from '../../sdk/operator.js';
import { RecordClock } from '../../sdk/source-time.js';
import { checkStreamKey, closeRedis, openRedis, STREAM_ID } from '../connect.js';
import { partitionStream, type SourceRedisStreamConfig } from './definition.js';
import { decodeEntry, type StreamEntry } from './entry.js';
import { shownTarget } from '../redis-url.js';

/** The id before every entry: reading after it reads the whole stream. */
const BEFORE_ALL = '0-0';

export const sourceRedisStreamOperator: SourceFactory<SourceRedisStreamConfig> = async (ctx) => {
  // Split (`parallelism`): each partition reads its own stream, `{partition}` in the name.
  const c = { ...ctx.config, stream: partitionStream(ctx.config.stream, ctx.partition?.index ?? 0) };
  const target = shownTarget(c.url, c.stream);
  // Before connecting: a missing secret fails the start naming the secret.
  const password = c.passwordSecret === undefined ? undefined : ctx.secret(c.passwordSecret);
  const redis = await openRedis({ url: c.url, ...(password !== undefined ? { password } : {}), target });
  let at: string;
  try {
    await checkStreamKey(redis, c.stream, target);
    // `latest` is pinned to a concrete id now, so entries added between the start and the
    // first read are not skipped, and the first checkpoint already holds a real position.
    at = c.start === 'earliest' ? BEFORE_ALL : await lastId(redis, c.stream);
  } catch (err) {
    await closeRedis(redis);
    throw err;
  }
  return new RedisStreamSource(redis, c, target, at, ctx.now, ctx.nodeId);
};

/** The newest entry's id, or 0-0 when the stream is empty or missing (every later entry is new). */
async function lastId(redis: Redis, key: string): Promise<string> {
  const last = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return last[0]?.[0] ?? BEFORE_ALL;
}

class RedisStreamSource implements SourceOperator {
  private readonly clock: RecordClock;

  constructor(
    private readonly redis: Redis,
    private readonly c: SourceRedisStreamConfig,
    private readonly target: string,
    /** The last entry id read (exclusive start of the next read). */
    private at: string,
    private readonly now: () => number,
    private readonly nodeId: string,
  ) {
    this.clock = new RecordClock(c.timeField, durationMs(c.maxOutOfOrderness));
  }

  async poll(max: number): Promise<SourceBatch> {
    const entries = max > 0 ? await this.read(max) : [];
    if (entries.length > 0) this.at = entries[entries.length - 1]![0];
    // Bounded: a read that found nothing means the reader caught up with the writers.
    return this.toBatch(entries, this.c.stopAtEnd && entries.length === 0 && max > 0);
  }

  /** Entries after `at`. Bounded reads never block: an empty answer is the end. */
  private async read(max: number): Promise<StreamEntry[]> {
    const key = this.c.stream;
    try {
      if (this.c.stopAtEnd || this.c.blockMs === 0) {
        const r = await this.redis.xread('COUNT', max, 'STREAMS', key, this.at);
        return (r?.[0]?.[1] ?? []) as StreamEntry[];
      }
      // A short BLOCK: an idle stream costs one round trip per blockMs, not a busy loop, and
      // the runtime's loop (which polls every source in turn) gets control back soon.
      const r = await this.redis.xread('COUNT', max, 'BLOCK', this.c.blockMs, 'STREAMS', key, this.at);
      return (r?.[0]?.[1] ?? []) as StreamEntry[];
    } catch (err) {
      // The runtimes do not name the source when its poll fails: this message does.
      throw new Error(`${this.nodeId}: cannot read ${this.target}: ${(err as Error).message}`);
    }
  }

  private toBatch(entries: readonly StreamEntry[], done: boolean): SourceBatch {
    const now = this.now();
    const events: Event[] = [];
    const errors: { event: Event; error: string }[] = [];
    const { idField } = this.c;
    for (const entry of entries) {
      const id = entry[0];
      const d = decodeEntry(entry, this.c);
      if ('bad' in d) {
        errors.push({ event: d.bad, error: d.error });
        continue;
      }
      const rec = d.record as Record<string | symbol, unknown>;
      if (idField !== undefined) rec[idField] = id;
      const why = this.clock.stampRecord(rec, now);
      if (why === undefined) events.push(rec as Event);
      else errors.push({ event: { ...d.record, _id: id }, error: `entry ${id}: ${why}` });
    }
    const watermark = this.clock.watermarkAt(now);
    return { events, watermark, done, ...(errors.length > 0 ? { errors } : {}) };
  }

  position(): string {
    return this.at;
  }

  seek(position: unknown): void {
    if (typeof position !== 'string' || !STREAM_ID.test(position)) {
      throw new Error(`cannot resume ${this.target} from ${JSON.stringify(position)}: not a stream entry id`);
    }
    this.at = position;
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }
}
