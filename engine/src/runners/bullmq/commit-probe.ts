/**
 * A measuring probe for benchmarks (bench/scale.ts, SCALE_PROBE): with SLUICE_PROBE_COMMITS set
 * to a Redis key, every task commit of this worker adds to that hash how many bytes it wrote
 * (the snapshot's head and the keyed entries it changed), how many keyed entries, and how many
 * windows those entries held (an entry with a `w` list: a window operator's key). Flushed every
 * 200 ms (the bench waits that long after a run). Unset (always, outside a benchmark): nothing is counted.
 */
import type { RedisClient } from './redis-client.js';

interface Totals {
  commits: number;
  headBytes: number;
  keyedBytes: number;
  keyedEntries: number;
  windows: number;
  /** The most windows one commit's entries held (one task's open windows, when it touched every key). */
  maxWindowsPerCommit: number;
}

const FLUSH_MS = 200;

export class CommitProbe {
  private totals = CommitProbe.empty();
  private timer: NodeJS.Timeout | undefined;
  private redis: RedisClient | undefined;
  private maxSeen = 0;

  constructor(private readonly key: string) {}

  private static empty(): Totals {
    return { commits: 0, headBytes: 0, keyedBytes: 0, keyedEntries: 0, windows: 0, maxWindowsPerCommit: 0 };
  }

  /** One commit: the packed head's size and the changed keyed entries as packed and as values. */
  add(redis: RedisClient, headBytes: number, keyedBytes: number, values: readonly unknown[]): void {
    let windows = 0;
    for (const v of values) {
      const w = (v as { w?: unknown } | null)?.w;
      if (Array.isArray(w)) windows += w.length;
    }
    const t = this.totals;
    t.commits++;
    t.headBytes += headBytes;
    t.keyedBytes += keyedBytes;
    t.keyedEntries += values.length;
    t.windows += windows;
    t.maxWindowsPerCommit = Math.max(t.maxWindowsPerCommit, windows);
    this.redis ??= redis;
    this.timer ??= setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  async flush(): Promise<void> {
    const t = this.totals;
    if (!this.redis || t.commits === 0) return;
    this.totals = CommitProbe.empty();
    const tx = this.redis.multi();
    for (const k of ['commits', 'headBytes', 'keyedBytes', 'keyedEntries', 'windows'] as const) tx.hincrby(this.key, k, t[k]);
    // The max across workers: each worker keeps its own field (its largest so far), the probe reads the largest.
    this.maxSeen = Math.max(this.maxSeen, t.maxWindowsPerCommit);
    tx.hset(this.key, `maxWindowsPerCommit:${process.pid}`, this.maxSeen);
    await tx.exec().catch(() => undefined);
  }
}

/** The worker's probe, or undefined (the default: benchmarks only). */
export const commitProbe: CommitProbe | undefined = process.env.SLUICE_PROBE_COMMITS
  ? new CommitProbe(process.env.SLUICE_PROBE_COMMITS)
  : undefined;
