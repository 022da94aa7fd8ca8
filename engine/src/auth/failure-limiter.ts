/**
 * Failed authentications per client address: a token bucket in memory. Each failure takes one
 * token; tokens come back at `perMinute` a minute up to `perMinute`. With none left the address
 * gets 429 + Retry-After for anything that presents a credential, right or wrong, so a guesser
 * learns nothing until the bucket refills. Addresses come from the socket (docs/auth.md).
 */
export interface FailureLimiterOptions {
  /** Failures allowed in a burst and refilled per minute (default 10). */
  perMinute?: number;
  /** Most addresses tracked; the oldest goes first past it (default 10,000). */
  maxAddresses?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class FailureLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMinute: number;
  private readonly now: () => number;

  constructor(private readonly o: FailureLimiterOptions = {}) {
    this.perMinute = o.perMinute ?? 10;
    this.now = o.now ?? Date.now;
  }

  /** Whole seconds this address must wait before it may try again, or 0. */
  retryAfterSeconds(address: string): number {
    const b = this.refilled(address);
    if (!b || b.tokens >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - b.tokens) * 60_000) / this.perMinute / 1000));
  }

  /** Count one failure from this address. */
  fail(address: string): void {
    const b = this.refilled(address) ?? { tokens: this.perMinute, at: this.now() };
    b.tokens = Math.max(0, b.tokens - 1);
    // Re-inserted: the map stays ordered by last failure, oldest first.
    this.buckets.delete(address);
    if (this.buckets.size >= (this.o.maxAddresses ?? 10_000)) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(address, b);
  }

  private refilled(address: string): Bucket | undefined {
    const b = this.buckets.get(address);
    if (!b) return undefined;
    const t = this.now();
    b.tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) * this.perMinute) / 60_000);
    b.at = t;
    if (b.tokens >= this.perMinute) this.buckets.delete(address);
    return b;
  }
}
