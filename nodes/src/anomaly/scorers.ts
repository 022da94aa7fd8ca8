/**
 * The anomaly node's scorers: pure functions over one key's recent history, so the scores can
 * be checked by hand (anomaly.test.ts) and the history is plain JSON state.
 *
 * - Robust z-score (Iglewicz and Hoaglin's modified z-score): 0.6745 (x - median) / MAD over the
 *   last `history` values. The median and MAD ignore a few wild values, so one spike neither
 *   hides the next nor flags its neighbours.
 * - EWMA: (x - mean) / sd, with the mean and variance exponentially weighted by `alpha`
 *   (Finch, "Incremental calculation of weighted mean and variance", 2009).
 *
 * Both score x against the history before x, then add x to it.
 */

/** The score given when the history has no spread at all and x differs from it. */
export const NO_SPREAD_SCORE = 1_000_000;

/** One key's last values, a ring: `v` up to `size` values, `at` the slot the next one takes. */
export interface RingHistory {
  v: number[];
  at: number;
}

/** One key's exponentially weighted mean and variance, and how many values made them. */
export interface EwmaHistory {
  mean: number;
  variance: number;
  n: number;
}

export interface Score {
  score: number;
  /** What the history expected: the median (robust z) or the weighted mean (EWMA). */
  expected: number;
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 0.6745 is the 0.75 quantile of the standard normal: it makes MAD comparable to a standard deviation. */
const MAD_SCALE = 0.6745;
/** With MAD 0 (over half the values equal), the mean absolute deviation times sqrt(pi/2) stands in (IBM SPSS's rule). */
const MEAN_AD_SCALE = 1.253314;

export function robustZ(history: readonly number[], x: number): Score {
  const sorted = Float64Array.from(history).sort();
  const med = median(sorted);
  const deviations = sorted.map((v) => Math.abs(v - med)).sort();
  const mad = median(deviations);
  if (mad > 0) return { score: (MAD_SCALE * (x - med)) / mad, expected: med };
  let sum = 0;
  for (const d of deviations) sum += d;
  const meanAd = sum / deviations.length;
  if (meanAd > 0) return { score: (x - med) / (MEAN_AD_SCALE * meanAd), expected: med };
  return { score: noSpread(x, med), expected: med };
}

export function pushRing(h: RingHistory, x: number, size: number): void {
  if (h.v.length < size) h.v.push(x);
  else h.v[h.at] = x;
  h.at = (h.at + 1) % size;
}

export function ewmaScore(h: EwmaHistory, x: number): Score {
  const sd = Math.sqrt(h.variance);
  return { score: sd > 0 ? (x - h.mean) / sd : noSpread(x, h.mean), expected: h.mean };
}

export function pushEwma(h: EwmaHistory | undefined, x: number, alpha: number): EwmaHistory {
  if (h === undefined) return { mean: x, variance: 0, n: 1 };
  const diff = x - h.mean;
  const step = alpha * diff;
  h.mean += step;
  h.variance = (1 - alpha) * (h.variance + diff * step);
  h.n += 1;
  return h;
}

function noSpread(x: number, expected: number): number {
  return x === expected ? 0 : x > expected ? NO_SPREAD_SCORE : -NO_SPREAD_SCORE;
}

/** Scores leave the node rounded to 4 decimals: enough to rank, and stable to compare. */
export function roundScore(s: number): number {
  return Math.round(s * 1e4) / 1e4;
}
