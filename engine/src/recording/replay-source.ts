/**
 * A source that replays recorded (or uploaded) events for a preview. Events keep their recorded
 * event time and late stamp; the watermark trails the largest time replayed by the largest
 * out-of-orderness seen in the recording, so an event that was on time live is on time here.
 */
import type { SourceBatch, SourceOperator } from '@sluice/nodes/sdk';
import { type RecordedEvent, replayEvent } from './recorded-event.js';

/** Synchronous `poll`: a replay never waits. */
export type ReplaySource = Omit<SourceOperator, 'poll'> & { poll(max: number): SourceBatch };

export function replaySource(events: readonly RecordedEvent[], now: () => number = Date.now): ReplaySource {
  let slack = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of events) {
    if (r.t === undefined) continue;
    if (r.t > max) max = r.t;
    // Out-of-orderness of an event that was not late: the watermark must stay behind it.
    else if (r.w === undefined) slack = Math.max(slack, max - r.t);
  }
  let next = 0;
  let seen = Number.NEGATIVE_INFINITY;
  return {
    poll(maxEvents: number): SourceBatch {
      const end = Math.min(events.length, next + maxEvents);
      const out = [];
      const t = now();
      for (; next < end; next++) {
        const r = events[next]!;
        if (r.t !== undefined && r.t > seen) seen = r.t;
        out.push(replayEvent(r, t));
      }
      const done = next >= events.length;
      return { events: out, watermark: done ? Number.POSITIVE_INFINITY : seen - slack, done };
    },
    position: () => next,
  };
}
