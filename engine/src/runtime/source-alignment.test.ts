import { describe, expect, it } from 'vitest';
import { alignmentWatermark, DEFAULT_MAX_DRIFT_MS, mayPoll, parseMaxDrift } from './source-alignment.js';

describe('watermark alignment of a split source', () => {
  it('reports a reading partition by its watermark, and ended, idle or untimed ones as no bound', () => {
    expect(alignmentWatermark(5_000, false, false)).toBe(5_000);
    expect(alignmentWatermark(5_000, true, false)).toBe(Number.POSITIVE_INFINITY);
    expect(alignmentWatermark(5_000, false, true)).toBe(Number.POSITIVE_INFINITY);
    expect(alignmentWatermark(Number.NEGATIVE_INFINITY, false, false)).toBe(Number.POSITIVE_INFINITY);
  });

  it('holds a partition back only when it is more than the drift ahead of the slowest reading peer', () => {
    expect(mayPoll(20_000, 10_000, 10_000)).toBe(true);
    expect(mayPoll(20_001, 10_000, 10_000)).toBe(false);
    expect(mayPoll(0, 10_000, 10_000)).toBe(true);
    // No reading peer, or nothing timed read yet: never held.
    expect(mayPoll(1e12, Number.POSITIVE_INFINITY, 0)).toBe(true);
    expect(mayPoll(Number.NEGATIVE_INFINITY, 0, 0)).toBe(true);
    // Off.
    expect(mayPoll(1e12, 0, Number.POSITIVE_INFINITY)).toBe(true);
  });

  it('reads the drift from options and the environment, with a clear error', () => {
    expect(parseMaxDrift(undefined, 'x')).toBe(DEFAULT_MAX_DRIFT_MS);
    expect(parseMaxDrift(undefined, 'x', 100_000)).toBe(100_000);
    expect(parseMaxDrift('2500', 'x')).toBe(2500);
    expect(parseMaxDrift(0, 'x')).toBe(0);
    expect(parseMaxDrift('off', 'x')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseMaxDrift('-1', 'SLUICE_ALIGN_MAX_DRIFT_MS')).toThrow(
      'SLUICE_ALIGN_MAX_DRIFT_MS: watermark alignment drift must be a number of milliseconds >= 0, or "off" (got -1)',
    );
    expect(() => parseMaxDrift('10s', 'x')).toThrow('(got 10s)');
  });
});
