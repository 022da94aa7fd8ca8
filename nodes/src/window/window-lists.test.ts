/**
 * Finding an event's windows (window-lists.ts, docs/windows.md): one walk of the key's list per
 * event, so the work is linear in the windows it belongs to; counted in list steps, not timed.
 * And the results of sliding windows with events out of order and lateness, by hand.
 */
import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { plain, recordingCollector } from '../sdk/testing/index.js';
import { MemoryStateRegistry } from '../sdk/state.js';
import { windowDefinition } from './definition.js';
import { WindowOperator } from './operator.js';
import { NONE, WindowLists } from './window-lists.js';

const at = (t: number, fields: Record<string, unknown> = {}): Event => Object.freeze({ ...fields, [EVENT_TIME]: t }) as Event;

function sliding(size: string, slide: string, allowedLateness = '0s', registry = new MemoryStateRegistry()) {
  const config = windowDefinition.config.parse({
    type: 'sliding',
    size,
    slide,
    allowedLateness,
    keyBy: ['k'],
    aggregates: [
      { as: 'n', op: 'count' },
      { as: 'sum', op: 'sum', field: 'v' },
    ],
  });
  return { op: new WindowOperator(config, registry), col: recordingCollector('w', () => true), registry };
}

/** The list of `slot` from its head: each record's start. */
function startsOf(lists: WindowLists, starts: Float64Array, slot: number): number[] {
  const out: number[] = [];
  for (let r = lists.head[slot]!; r !== NONE; r = lists.next[r]!) out.push(starts[r]!);
  return out;
}

/**
 * List steps per event of one key fed by two inputs 90 s apart in event time, alternating, an
 * event a second each, the watermark following the one behind.
 */
function skewedSteps({ op, col }: ReturnType<typeof sliding>): number[] {
  const perEvent: number[] = [];
  for (let i = 0; i < 600; i++) {
    for (const t of [(i + 90) * 1000, i * 1000]) {
      const before = op.listSteps;
      op.process([at(t, { k: 'a', v: 1 })], col);
      perEvent.push(op.listSteps - before);
    }
    op.onWatermark(i * 1000 - 1, col);
  }
  return perEvent;
}

describe('window lists', () => {
  it('keeps a slot latest start first whatever order windows come in, and finds a run of starts in one walk', () => {
    const lists = new WindowLists(1, 8);
    lists.head[0] = NONE;
    const starts = new Float64Array([30, 10, 20, 50, 40]);
    for (let r = 0; r < starts.length; r++) {
      lists.walk(0);
      expect(lists.seek(starts, starts[r]!)).toBe(NONE);
      lists.insertAtWalk(0, r);
    }
    expect(startsOf(lists, starts, 0)).toEqual([50, 40, 30, 20, 10]);
    const before = lists.steps;
    lists.walk(0);
    // 40, 30 and 20 found, 35 missing (the walk stands before 30): 50, 40, 30 passed once each.
    expect([lists.seek(starts, 40), lists.seek(starts, 35), lists.seek(starts, 30), lists.seek(starts, 20)]).toEqual([4, NONE, 0, 2]);
    expect(lists.steps - before).toBe(3);
    lists.unlink(0, 4);
    lists.unlink(0, 1);
    lists.unlink(0, 3);
    expect(startsOf(lists, starts, 0)).toEqual([30, 20]);
    expect([lists.head[0], lists.tail[0]]).toEqual([0, 2]);
  });

  it('walks from the nearer end, and finds the same record of a start made twice (restored under another size) from either', () => {
    const lists = new WindowLists(1, 8);
    lists.clearSlot(0);
    // Records 0-5 start at 10, 20, 30, 40, 30 (made after record 2), 50; record 6 (25) comes later.
    const starts = new Float64Array([10, 20, 30, 40, 30, 50, 25]);
    for (let r = 0; r < 6; r++) {
      lists.walk(0);
      lists.seek(starts, starts[r]!);
      lists.insertAtWalk(0, r);
    }
    expect(startsOf(lists, starts, 0)).toEqual([50, 40, 30, 30, 20, 10]);
    expect(lists.walkNearest(starts, 0, 45, 35)).toBe(false);
    expect(lists.seek(starts, 30)).toBe(4);
    // Windows 25 down to 15: nearer the tail (10) than the head (50); sought increasing.
    expect(lists.walkNearest(starts, 0, 25, 15)).toBe(true);
    const before = lists.steps;
    expect([lists.seek(starts, 15), lists.seek(starts, 20), lists.seek(starts, 25)]).toEqual([NONE, 1, NONE]);
    lists.insertAtWalk(0, 6);
    expect(lists.steps - before).toBe(2);
    expect(lists.walkNearest(starts, 0, 30, 20)).toBe(true);
    expect([lists.seek(starts, 20), lists.seek(starts, 25), lists.seek(starts, 30)]).toEqual([1, 6, 4]);
    expect(startsOf(lists, starts, 0)).toEqual([50, 40, 30, 30, 25, 20, 10]);
  });

  it('costs an in-order event of a 60 s window sliding every 1 s at most 60 list steps, not 60²/2', () => {
    const { op, col } = sliding('60s', '1s', '10m');
    // One key, an event a second for 10 minutes, no watermark: every window stays open (600).
    const perEvent: number[] = [];
    for (let i = 0; i < 600; i++) {
      const before = op.listSteps;
      op.process([at(i * 1000, { k: 'a', v: 1 })], col);
      perEvent.push(op.listSteps - before);
    }
    expect(Math.max(...perEvent)).toBeLessThanOrEqual(60);
  });

  it('costs an event behind its key by D windows at most D + 60 list steps (inputs skewed in event time)', () => {
    // 10 minutes of lateness keep 600 older windows open: the walk comes from the head.
    expect(Math.max(...skewedSteps(sliding('60s', '1s', '10m')))).toBeLessThanOrEqual(90 + 60);
  });

  it('costs an event of the input behind, which holds the watermark, its 60 windows and the 2 older still open: from the tail', () => {
    // The watermark a second behind: windows from 61 s before the event are open. From the head
    // it would pass the 90 windows of the input ahead first.
    expect(Math.max(...skewedSteps(sliding('60s', '1s')))).toBeLessThanOrEqual(62);
  });

  it('gives sliding windows of events out of order, with lateness, as computed by hand, across a restore too', () => {
    // size 3 ms, slide 1 ms, lateness 2 ms: an event at t is in the windows starting t-2, t-1, t.
    const steps: ({ events: [number, string, number][] } | { watermark: number } | 'restore')[] = [
      { events: [[10, 'a', 1]] }, // 8, 9, 10
      { events: [[5, 'a', 2]] }, // 3, 4, 5: after the others in the list
      { events: [[7, 'a', 4]] }, // 5 found; 6, 7 placed between 8 and 5
      { events: [[12, 'b', 8]] }, // b: 10, 11, 12
      { events: [[9, 'a', 16]] }, // 7, 8, 9 all found
      { watermark: 9 }, // fires [3,6) and [4,7): end + 2 <= 9
      'restore',
      { events: [[6, 'a', 32]] }, // 4 closed, 5 and 6 open: placed
      { events: [[3, 'a', 64]] }, // 1, 2, 3 all closed: late
      { events: [[11, 'a', 128]] }, // 9, 10 found, 11 new at the head
      { watermark: 20 },
    ];
    const expected = [
      { k: 'a', window_start: 3, window_end: 6, n: 1, sum: 2 },
      { k: 'a', window_start: 4, window_end: 7, n: 1, sum: 2 },
      { k: 'a', window_start: 5, window_end: 8, n: 3, sum: 38 },
      { k: 'a', window_start: 6, window_end: 9, n: 2, sum: 36 },
      { k: 'a', window_start: 7, window_end: 10, n: 2, sum: 20 },
      { k: 'a', window_start: 8, window_end: 11, n: 2, sum: 17 },
      { k: 'a', window_start: 9, window_end: 12, n: 3, sum: 145 },
      { k: 'a', window_start: 10, window_end: 13, n: 2, sum: 129 },
      { k: 'b', window_start: 10, window_end: 13, n: 1, sum: 8 },
      { k: 'a', window_start: 11, window_end: 14, n: 1, sum: 128 },
      { k: 'b', window_start: 11, window_end: 14, n: 1, sum: 8 },
      { k: 'b', window_start: 12, window_end: 15, n: 1, sum: 8 },
    ];
    for (const restoring of [false, true]) {
      let w = sliding('3ms', '1ms', '2ms');
      const out: unknown[] = [];
      const late: unknown[] = [];
      const drain = () => {
        out.push(...plain(w.col.outputs.out ?? []));
        late.push(...plain(w.col.outputs.late ?? []));
        w.col = recordingCollector('w', () => true);
      };
      for (const step of steps) {
        if (step === 'restore') {
          const snap = JSON.parse(JSON.stringify(w.registry.snapshot()));
          // A key's windows by start, earliest first (made in the order 10, 9, 8, 5, 7, 6).
          const [, a] = snap.windows.entries.find(([key]: [string]) => key === 'a');
          expect(a.w.map((x: { s: number }) => x.s)).toEqual([5, 6, 7, 8, 9, 10]);
          if (!restoring) continue;
          drain();
          w = sliding('3ms', '1ms', '2ms');
          w.registry.restore(snap);
          w.op.onRestore();
        } else if ('events' in step)
          w.op.process(
            step.events.map(([t, k, v]) => at(t, { k, v })),
            w.col,
          );
        else w.op.onWatermark(step.watermark, w.col);
      }
      drain();
      expect(out).toEqual(expected);
      expect(late).toEqual([{ k: 'a', v: 64 }]);
    }
  });
});
