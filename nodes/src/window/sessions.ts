/**
 * Session merging for one key. A session is `[first event time, last event time + gap)`; an
 * event at `t` proposes `[t, t + gap)` and joins every session it overlaps (strictly: an event
 * exactly `gap` after a session's last event starts a new one, as `window_end` is exclusive for
 * every window type). Sessions it bridges merge into one.
 */
import type { Aggregates, Win } from './aggregates.js';

/**
 * Merges the sessions in `sessions` that `[t, t + gap)` overlaps and that are still open for this
 * event (`end + lateness > closedUpTo`), in place; returns the merged session (bounds not yet
 * extended to the event) or undefined when there is none. Sessions open for this event never
 * overlap one another, so overlapping the event's interval is the whole test.
 */
export function mergeOverlapping(
  sessions: Win[],
  t: number,
  gap: number,
  lateness: number,
  closedUpTo: number,
  aggs: Aggregates,
): Win | undefined {
  let into: Win | undefined;
  const end = t + gap;
  for (let j = 0; j < sessions.length; j++) {
    const w = sessions[j]!;
    if (t >= w.e || end <= w.s || w.e + lateness <= closedUpTo) continue;
    if (into === undefined) {
      into = w;
      continue;
    }
    aggs.merge(into, w);
    if (w.s < into.s) into.s = w.s;
    if (w.e > into.e) into.e = w.e;
    sessions.splice(j--, 1);
  }
  return into;
}
