import { describe, expect, it } from 'vitest';
import { LIVE_SERVING_MS, ownedQueueIndices, ServingWorkers } from './queue-placement.js';

describe('keyed queue placement', () => {
  it('gives every queue exactly one owner among the live workers, each about the same number', () => {
    const live = ['a', 'b', 'c', 'd'];
    const owned = live.map((w) => ownedQueueIndices('pipe-1', 5, live, w));
    // 5 queues over 4 workers: one worker holds two, the others one each, and no queue twice.
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(owned.map((o) => o.length).sort()).toEqual([1, 1, 1, 2]);
    // A worker that is not live (or serves no queue) owns nothing.
    expect(ownedQueueIndices('pipe-1', 5, live, 'z')).toEqual([]);
  });

  it('takes a worker as live while its beat changes, on this clock, whatever the beat says', () => {
    const seen = new ServingWorkers('me');
    // b's clock runs an hour behind: its beat looks old, but it changes, so b is live.
    const hourAgo = 1_000_000 - 3_600_000;
    expect(seen.observe({ me: '1000000', b: String(hourAgo) }, {}, 1_000_000)).toEqual(['me']);
    expect(seen.observe({ me: '1000500', b: String(hourAgo + 500) }, {}, 1_000_500)).toEqual(['b', 'me']);
    // c beats once, then stops: live until its beat has not changed for LIVE_SERVING_MS.
    expect(seen.observe({ me: '1001000', b: String(hourAgo + 1000), c: '1001000' }, {}, 1_001_000)).toEqual(['b', 'c', 'me']);
    const later = 1_001_000 + LIVE_SERVING_MS + 1;
    expect(seen.observe({ me: String(later), b: String(later - 3_600_000), c: '1001000' }, {}, later)).toEqual(['b', 'me']);
  });

  it('leaves out a worker that serves no keyed queue, and always counts itself', () => {
    const seen = new ServingWorkers('me');
    const infos = { src: JSON.stringify({ host: 'h', pid: 1, labels: [], startedAt: 0, queues: false }) };
    expect(seen.observe({ src: '5000', other: '5000' }, infos, 5000)).toEqual(['me', 'other']);
    expect(new ServingWorkers(undefined).observe({ src: '5000' }, infos, 5000)).toEqual([]);
  });
});
