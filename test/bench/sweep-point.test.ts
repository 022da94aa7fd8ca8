/**
 * The sweep's point runner at a tiny size: its output shape and the window results it counted.
 * No timing: throughput stays out of unit tests (bench/sweep/sweep.ts measures it).
 */
import { describe, expect, it } from 'vitest';
import { expectedResults, runPoint } from '../../bench/sweep/point.js';

describe('cost-growth sweep point', () => {
  // 10,000 events, 1 ms apart, in 4 tumbling windows of 2,500 ms; key i % 100: every window
  // holds all 100 keys, so 4 x 100 = 400 window results.
  it('counts 400 window results for 10k events over 100 keys in 4 windows', async () => {
    const spec = { events: 10_000, keys: 100, chain: 2, partitions: 1, windows: 4, contender: 'sluice' } as const;
    const r = await runPoint(spec);
    expect(r).toMatchObject({ ...spec, results: 400, expectedResults: 400 });
    for (const field of ['seconds', 'eventsPerSecond', 'peakRssMb', 'rssBeforeMb'] as const) expect(r[field]).toBeGreaterThan(0);
  });

  it('gives the same count with 2 partitions and with the plain JS reference', async () => {
    const spec = { events: 10_000, keys: 100, chain: 1, windows: 4 };
    expect((await runPoint({ ...spec, partitions: 2, contender: 'sluice' })).results).toBe(400);
    expect((await runPoint({ ...spec, partitions: 1, contender: 'plain' })).results).toBe(400);
  });

  // 10 windows of 1,000 events over 3,000 keys: each window has 1,000 distinct keys.
  it('expects min(keys, events per window) results per window', () => {
    expect(expectedResults({ events: 10_000, keys: 3000, windows: 10 })).toBe(10_000);
    expect(expectedResults({ events: 10, keys: 4, windows: 3 })).toBe(4 + 4 + 2);
  });
});
