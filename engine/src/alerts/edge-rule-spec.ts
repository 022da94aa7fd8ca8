/**
 * What a data rule asks the BullMQ workers to count (docs/alerts.md, "Data rules on BullMQ"):
 * the leader's evaluator writes these specs to Redis, each worker counts the edges it produces
 * against them, and both sides name a rule's counts by the same key. The key changes with what
 * the count means (the rule's edge, `where` and window), so an edited rule starts from zero, as
 * on the embedded runner.
 */
import { createHash } from 'node:crypto';
import { type AlertRule, dataWindowMs, isDataRule, type ParamValue } from '@sluice/shared';

export interface CountedRule {
  /** Names the rule's counts in Redis (RedisKeys.alertCounts). */
  key: string;
  edge: string;
  where: string;
  windowMs: number;
  bucketMs: number;
  params: Record<string, ParamValue>;
}

/**
 * Buckets of window/60, at least 1 s: the leader reads a rule's hash every second, so it holds
 * at most 61 buckets of three counts.
 */
export function remoteBucketMs(windowMs: number): number {
  return Math.max(1000, Math.ceil(windowMs / 60));
}

/** How long a rule's counts are kept after their last write: the window, a bucket, and a minute. */
export function countsTtlMs(r: Pick<CountedRule, 'windowMs' | 'bucketMs'>): number {
  return r.windowMs + r.bucketMs + 60_000;
}

export function countedRules(rules: readonly AlertRule[], params: Record<string, ParamValue>): CountedRule[] {
  const out: CountedRule[] = [];
  for (const r of rules) {
    if (!isDataRule(r) || r.edge === undefined || r.where === undefined) continue;
    const windowMs = dataWindowMs(r);
    const key = createHash('sha1')
      .update(JSON.stringify([r.id, r.edge, r.where, windowMs]))
      .digest('hex')
      .slice(0, 16);
    out.push({ key, edge: r.edge, where: r.where, windowMs, bucketMs: remoteBucketMs(windowMs), params });
  }
  return out;
}

/** Where the buckets counted in the window at `now` start: the current one and those before it, as WindowCounter reads. */
export function windowFrom(now: number, r: Pick<CountedRule, 'windowMs' | 'bucketMs'>): number {
  const current = Math.floor(now / r.bucketMs) * r.bucketMs;
  return current - (Math.ceil(r.windowMs / r.bucketMs) - 1) * r.bucketMs;
}
