/**
 * bench:scale's probe (SCALE_PROBE=1): what a split source's skew costs the keyed window
 * downstream. While a timed run goes, every 100 ms it reads the source partitions' checkpointed
 * watermarks (their counters, written with each checkpoint) and records the spread between the
 * partitions still reading (event-time seconds). The workers count what each task commit wrote
 * (engine/src/runners/bullmq/commit-probe.ts, SLUICE_PROBE_COMMITS): bytes per commit and the
 * windows the committed keys held.
 */
import type { Redis } from 'ioredis';
import { RedisKeys } from '../engine/src/runners/bullmq/keys.js';

export interface ProbeResult {
  /** Spread (max - min) of the reading partitions' watermarks, event-time seconds, over the run's samples. */
  skewSeconds: { samples: number; mean: number; p50: number; p95: number; max: number };
  commits: number;
  /** Bytes per task commit: the snapshot's head and the keyed entries it changed. */
  headBytesPerCommit: number;
  keyedBytesPerCommit: number;
  /** Keyed entries (window keys) per commit, and the open windows they held on average. */
  entriesPerCommit: number;
  windowsPerKey: number;
  /** Open windows per commit: a keyed task's open windows when its commits touch every key. */
  windowsPerCommit: number;
  maxWindowsPerCommit: number;
}

/** The Redis hash the workers' commit probe adds to (set SLUICE_PROBE_COMMITS to it before the workers start). */
export function commitProbeKey(prefix: string): string {
  return `${prefix}:probe:commits`;
}

export class ScaleProbe {
  private readonly skews: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly pid: string,
    private readonly sourceNode: string,
    private readonly partitions: number,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  /** Forget the warm-up's commits and start sampling. */
  async start(): Promise<void> {
    // The workers flush their counts every 200 ms: the warm-up's last ones have landed after that.
    await new Promise((r) => setTimeout(r, 400));
    await this.redis.del(commitProbeKey(this.prefix));
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample()).catch(() => undefined);
    }, 100);
  }

  private async sample(): Promise<void> {
    const raw = await this.redis.mget(
      Array.from({ length: this.partitions }, (_, p) => this.keys.sourceCounters(this.pid, this.sourceNode, p)),
    );
    const reading: number[] = [];
    for (const r of raw) {
      if (!r) continue;
      const c = JSON.parse(r) as { watermark: number | null; done: boolean };
      if (!c.done && c.watermark !== null) reading.push(c.watermark);
    }
    // Only while at least two read: a partition not started yet or ended holds nothing open.
    if (reading.length >= 2) this.skews.push((Math.max(...reading) - Math.min(...reading)) / 1000);
  }

  async stop(): Promise<ProbeResult> {
    if (this.timer) clearInterval(this.timer);
    await this.sampling;
    await new Promise((r) => setTimeout(r, 400));
    const h = await this.redis.hgetall(commitProbeKey(this.prefix));
    await this.redis.del(commitProbeKey(this.prefix));
    const n = (k: string) => Number(h[k] ?? 0);
    const commits = n('commits');
    const per = (x: number, d: number) => (d > 0 ? Math.round((x / d) * 10) / 10 : 0);
    const sorted = [...this.skews].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      skewSeconds: {
        samples: sorted.length,
        mean: r1(sorted.reduce((t, x) => t + x, 0) / Math.max(1, sorted.length)),
        p50: r1(at(0.5)),
        p95: r1(at(0.95)),
        max: r1(sorted[sorted.length - 1] ?? 0),
      },
      commits,
      headBytesPerCommit: per(n('headBytes'), commits),
      keyedBytesPerCommit: per(n('keyedBytes'), commits),
      entriesPerCommit: per(n('keyedEntries'), commits),
      windowsPerKey: per(n('windows'), n('keyedEntries')),
      windowsPerCommit: per(n('windows'), commits),
      maxWindowsPerCommit: Math.max(
        0,
        ...Object.entries(h)
          .filter(([k]) => k.startsWith('maxWindowsPerCommit:'))
          .map(([, v]) => Number(v)),
      ),
    };
  }
}

export function describeProbe(p: ProbeResult): string {
  const s = p.skewSeconds;
  return `skew between source partitions (event-time s, ${s.samples} samples): mean ${s.mean}, p50 ${s.p50}, p95 ${s.p95}, max ${s.max}; ${p.commits} task commits, bytes per commit ${Math.round(p.headBytesPerCommit + p.keyedBytesPerCommit)} (head ${p.headBytesPerCommit} + keyed ${p.keyedBytesPerCommit}), ${p.entriesPerCommit} keys per commit holding ${p.windowsPerKey} open windows each (${p.windowsPerCommit} per commit, max ${p.maxWindowsPerCommit})`;
}
