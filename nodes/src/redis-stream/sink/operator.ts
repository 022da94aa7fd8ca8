/**
 * sink.redis-stream: one XADD per event, sent as pipelines (no MULTI: entries need no atomicity
 * with each other, and a pipeline is one round trip). `flush()` sends what is buffered and waits
 * for Redis to confirm it: the BullMQ runtime awaits it after every batch, before it commits.
 *
 * The embedded runner awaits `flush()` at least every 200 ms; a write also starts by itself
 * once the current batch has been processed (setImmediate), so entries appear as they come. A failure seen in the background is thrown by the next
 * `process` or `flush`, which fails the run naming this node and the stream. Nothing holds the
 * upstream back while a write is in flight (`process` is synchronous): events wait in memory.
 */
import { type Event, type FieldReader, fieldReader, keyPartition, keyText } from '@sluice/shared';
import type { Redis } from 'ioredis';
import type { OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import { checkStreamKey, closeRedis, openRedis } from '../connect.js';
import { shownTarget } from '../redis-url.js';
import { partitionStream } from '../source/definition.js';
import type { SinkRedisStreamConfig } from './definition.js';

/** Entries per pipeline: bounds the memory of one request and its replies. */
const PIPELINE_ENTRIES = 5_000;

export const sinkRedisStreamOperator: OperatorFactory<SinkRedisStreamConfig> = async (ctx) => {
  const c = ctx.config;
  const target = shownTarget(c.url, c.stream);
  const password = c.passwordSecret === undefined ? undefined : ctx.secret(c.passwordSecret);
  const redis = await openRedis({ url: c.url, ...(password !== undefined ? { password } : {}), target });
  try {
    for (const key of streamsOf(c)) await checkStreamKey(redis, key, shownTarget(c.url, key));
  } catch (err) {
    await closeRedis(redis);
    throw err;
  }
  return new RedisStreamSink(redis, c, target, ctx.nodeId);
};

/** The streams written: one, or `partitions` of them by key. */
function streamsOf(c: SinkRedisStreamConfig): string[] {
  return c.partitions === undefined ? [c.stream] : Array.from({ length: c.partitions }, (_, p) => partitionStream(c.stream, p));
}

/** Where each event goes: the one stream, or its key's (the key hash of @sluice/shared). */
function streamChooser(c: SinkRedisStreamConfig): (e: Event) => string {
  const streams = streamsOf(c);
  if (c.partitions === undefined || c.partitionBy === undefined) return () => streams[0]!;
  const read: FieldReader = fieldReader(c.partitionBy);
  const { partitions, partitionBy } = c;
  return (e) => {
    const text = keyText(read(e));
    if (text === undefined) throw new Error(`cannot place an event: no string, number or boolean in "${partitionBy}" (partitionBy)`);
    return streams[keyPartition(text, partitions)]!;
  };
}

class RedisStreamSink implements SinkOperator {
  /** Events (as JSON) not yet sent, after the stream each goes to. */
  private pending: string[] = [];
  /** The write in progress; one at a time, so entries keep the order of the events. */
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: Error | undefined;
  private readonly trim: (string | number)[];
  private readonly streamOf: (e: Event) => string;

  constructor(
    private readonly redis: Redis,
    private readonly c: SinkRedisStreamConfig,
    private readonly target: string,
    private readonly nodeId: string,
  ) {
    this.trim = c.maxLen === undefined ? [] : ['MAXLEN', '~', c.maxLen];
    this.streamOf = streamChooser(c);
  }

  process(batch: readonly Event[]): void {
    if (this.failure) throw this.failure;
    // Placed before anything is queued: an event without a key fails the batch whole.
    const placed = batch.map((e) => this.streamOf(e));
    for (let i = 0; i < batch.length; i++) this.pending.push(placed[i]!, JSON.stringify(batch[i]));
    if (!this.scheduled && this.pending.length > 0) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.send();
      });
    }
  }

  async flush(): Promise<void> {
    await this.send();
    // The runtimes name the node for a failing `process` but not for a failing `flush`.
    if (this.failure) throw new Error(`${this.nodeId}: ${this.failure.message}`);
  }

  /** Queue a write of everything pending when it starts (later batches join the next one). Never rejects. */
  private send(): Promise<void> {
    this.writing = this.writing.then(async () => {
      while (!this.failure && this.pending.length > 0) {
        const values = this.pending.splice(0, 2 * PIPELINE_ENTRIES);
        await this.write(values);
      }
    });
    return this.writing;
  }

  private async write(values: readonly string[]): Promise<void> {
    const p = this.redis.pipeline();
    for (let i = 0; i < values.length; i += 2) p.xadd(values[i]!, ...this.trim, '*', this.c.field, values[i + 1]!);
    try {
      const replies = await p.exec();
      const failed = replies?.find(([err]) => err);
      if (!replies) throw new Error('the pipeline was discarded');
      if (failed) throw failed[0]!;
    } catch (err) {
      this.failure = new Error(`cannot write ${this.target}: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.writing;
    await closeRedis(this.redis);
  }
}
