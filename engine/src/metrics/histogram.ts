/**
 * A fixed log-bucket histogram (about 4% relative error) for batch times and end-to-end
 * latency: recording is an array increment, so it can sit on the hot path.
 */
const MIN = 0.001; // ms
const FACTOR = 1.04;
const LOG_FACTOR = Math.log(FACTOR);
const BUCKETS = Math.ceil(Math.log(600_000 / MIN) / LOG_FACTOR) + 2;

/** Upper edge of bucket i, ms: bucket i holds (upper(i - 1), upper(i)]; bucket 0 holds <= MIN. */
export function bucketUpperMs(i: number): number {
  return MIN * FACTOR ** i;
}

export class Histogram {
  private counts = new Float64Array(BUCKETS);
  private total = 0;

  record(ms: number): void {
    const i = ms <= MIN ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN) / LOG_FACTOR));
    this.counts[i]!++;
    this.total++;
  }

  get count(): number {
    return this.total;
  }

  /** q in [0,1]; 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === 0 ? MIN : MIN * FACTOR ** i;
    }
    return MIN * FACTOR ** (BUCKETS - 1);
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
  }

  /** Sparse form for shipping between processes: [bucket, count] pairs. */
  toSparse(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) out.push([i, this.counts[i]!]);
    return out;
  }

  static fromSparse(pairs: readonly [number, number][]): Histogram {
    const h = new Histogram();
    for (const [i, c] of pairs) {
      h.counts[i] = c;
      h.total += c;
    }
    return h;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}
