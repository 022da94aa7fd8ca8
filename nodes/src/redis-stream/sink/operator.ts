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
import type { Event } from '@sluice/shared';
import type { Redis } from 'ioredis';
import type { OperatorFactory, SinkOperator } from '../../sdk/operator.js';
import { checkStreamKey, closeRedis, openRedis } from '../connect.js';
import { shownTarget } from '../redis-url.js';
import type { SinkRedisStreamConfig } from './definition.js';

/** Entries per pipeline: bounds the memory of one request and its replies. */
const PIPELINE_ENTRIES = 5_000;

export const sinkRedisStreamOperator: OperatorFactory<SinkRedisStreamConfig> = async (ctx) => {
  const c = ctx.config;
  const target = shownTarget(c.url, c.stream);
  const password = c.passwordSecret === undefined ? undefined : ctx.secret(c.passwordSecret);
  const redis = await openRedis({ url: c.url, ...(password !== undefined ? { password } : {}), target });
  try {
    await checkStreamKey(redis, c.stream, target);
  } catch (err) {
    await closeRedis(redis);
    throw err;
  }
  return new RedisStreamSink(redis, c, target, ctx.nodeId);
};

class RedisStreamSink implements SinkOperator {
  /** Events (as JSON) not yet sent. */
  private pending: string[] = [];
  /** The write in progress; one at a time, so entries keep the order of the events. */
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: Error | undefined;
  private readonly trim: (string | number)[];

  constructor(
    private readonly redis: Redis,
    private readonly c: SinkRedisStreamConfig,
    private readonly target: string,
    private readonly nodeId: string,
  ) {
    this.trim = c.maxLen === undefined ? [] : ['MAXLEN', '~', c.maxLen];
  }

  process(batch: readonly Event[]): void {
    if (this.failure) throw this.failure;
    for (let i = 0; i < batch.length; i++) this.pending.push(JSON.stringify(batch[i]));
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
        const values = this.pending.splice(0, PIPELINE_ENTRIES);
        await this.write(values);
      }
    });
    return this.writing;
  }

  private async write(values: readonly string[]): Promise<void> {
    const p = this.redis.pipeline();
    for (const v of values) p.xadd(this.c.stream, ...this.trim, '*', this.c.field, v);
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
