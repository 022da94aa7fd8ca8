/**
 * "Check connection" for source.redis-stream and sink.redis-stream (ConnectionCheck,
 * sdk/operator.ts): connects as the node does (openRedis: the URL, the password from its
 * secret), looks at the stream key with read-only commands (TYPE, EXISTS, XLEN, XREVRANGE) and
 * quits. Nothing is written or created: a stream the sink would create stays absent.
 */
import type { Redis } from 'ioredis';
import { CHECK_TIMEOUT_MS, withinDeadline } from '../sdk/check-deadline.js';
import type { OperatorContext } from '../sdk/operator.js';
import type { SinkRedisStreamConfig } from './sink/definition.js';
import { checkStreamKey, closeRedis, openRedis } from './connect.js';
import type { SourceRedisStreamConfig } from './source/definition.js';
import { partitionStream } from './source/definition.js';
import { shownTarget } from './redis-url.js';

export function checkRedisStreamSource(ctx: OperatorContext<SourceRedisStreamConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  return checkStream(ctx, 'source', timeoutMs);
}

export function checkRedisStreamSink(ctx: OperatorContext<SinkRedisStreamConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  return checkStream(ctx, 'sink', timeoutMs);
}

async function checkStream(
  ctx: OperatorContext<{ url: string; passwordSecret?: string | undefined; stream: string }>,
  role: 'source' | 'sink',
  timeoutMs: number,
): Promise<string> {
  // A split source names its streams with {partition}: the check looks at the first one.
  const c = role === 'source' ? { ...ctx.config, stream: partitionStream(ctx.config.stream, 0) } : ctx.config;
  const target = shownTarget(c.url, c.stream);
  // Before connecting, as at the start: a missing secret fails naming the secret.
  const password = c.passwordSecret === undefined ? undefined : ctx.secret(c.passwordSecret);
  return withinDeadline(
    c.url,
    async (deadline) => {
      const redis = await openRedis({
        url: c.url,
        ...(password !== undefined ? { password } : {}),
        target,
        prepare: (r) => deadline.onExpire(() => r.disconnect()),
      });
      try {
        // The start's check and message: the key holds something else than a stream.
        await checkStreamKey(redis, c.stream, target);
        const found = await describeStream(redis, c.stream, target);
        if (found !== undefined) return `connected to ${c.url}; ${found}`;
        if (role === 'sink') return `connected to ${c.url}; stream ${c.stream} does not exist yet: the first write creates it`;
        // The source starts on a missing key (and waits): most often a misspelt name, so said here.
        throw new Error(`${target} does not exist: the source would wait until a writer adds the first entry`);
      } finally {
        await closeRedis(redis);
      }
    },
    timeoutMs,
  );
}

/** `stream orders holds 1,204 entries, the last at 2026-11-29T17:02:11Z`; undefined when there is no such key. */
async function describeStream(redis: Redis, key: string, target: string): Promise<string | undefined> {
  try {
    if ((await redis.exists(key)) === 0) return undefined;
    const length = await redis.xlen(key);
    const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1))[0]?.[0];
    if (length === 0 || last === undefined) return `stream ${key} is empty`;
    return `stream ${key} holds ${length.toLocaleString('en-US')} ${length === 1 ? 'entry' : 'entries'}, the last at ${entryTime(last)}`;
  } catch (err) {
    throw new Error(`cannot read ${target}: ${(err as Error).message}`);
  }
}

/** An entry id `<ms>-<seq>` as the time it was added (ISO-8601, to the second). */
function entryTime(id: string): string {
  const ms = Number(id.split('-')[0]);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? id : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
