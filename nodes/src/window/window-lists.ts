/**
 * Each key's open fixed windows (window-columns.ts): a doubly linked list of window records per
 * slot, latest start first. An event's windows are a run of starts from its latest down by
 * `slide`, newest first: one walk of the list, in step with them (`walk`, then `seek` each start
 * in turn, `insertAtWalk` the missing ones), finds or places them all. The walk passes the
 * key's windows later than the event's latest, then its own, and stops at its oldest: no window
 * is looked at twice, so an event in k windows costs k steps (plus the later ones), not k²/2
 * (docs/windows.md "Finding an event's windows"). Firing unlinks a record in place.
 */
import { grownI32 } from './grown-arrays.js';

export const NONE = -1;

export class WindowLists {
  /** The latest-start record of each slot (NONE: no window). */
  head: Int32Array<ArrayBuffer>;
  /** The next record in its slot's list (an earlier start, or the same start made before). */
  next: Int32Array<ArrayBuffer>;
  private prev: Int32Array<ArrayBuffer>;
  // The walk in progress: the last record passed (NONE at the head) and the one it stands at.
  private before = NONE;
  private at = NONE;
  /** Records stepped past by walks: for tests that the work per event stays linear. */
  steps = 0;

  constructor(slots: number, records: number) {
    this.head = new Int32Array(slots);
    this.next = new Int32Array(records);
    this.prev = new Int32Array(records);
  }

  growSlots(slots: number): void {
    this.head = grownI32(this.head, slots);
  }

  growRecords(records: number): void {
    this.next = grownI32(this.next, records);
    this.prev = grownI32(this.prev, records);
  }

  /** Starts a walk of `slot`'s list at its latest start. */
  walk(slot: number): void {
    this.before = NONE;
    this.at = this.head[slot]!;
  }

  /**
   * The walk's record starting at `start` (`starts`: each record's start), NONE when there is
   * none; the walk then stands where such a window goes. Starts sought in one walk must not
   * increase.
   */
  seek(starts: Float64Array, start: number): number {
    const next = this.next;
    let before = this.before;
    let at = this.at;
    let steps = 0;
    while (at !== NONE && starts[at]! > start) {
      before = at;
      at = next[at]!;
      steps++;
    }
    this.before = before;
    this.at = at;
    this.steps += steps;
    return at !== NONE && starts[at] === start ? at : NONE;
  }

  /** Links record `r` of `slot` where the walk stands (after a seek of its start). */
  insertAtWalk(slot: number, r: number): void {
    const before = this.before;
    const at = this.at;
    this.prev[r] = before;
    this.next[r] = at;
    if (before === NONE) this.head[slot] = r;
    else this.next[before] = r;
    if (at !== NONE) this.prev[at] = r;
    this.before = r;
  }

  /** Unlinks record `r` from `slot`'s list. */
  unlink(slot: number, r: number): void {
    const p = this.prev[r]!;
    const n = this.next[r]!;
    if (p === NONE) this.head[slot] = n;
    else this.next[p] = n;
    if (n !== NONE) this.prev[n] = p;
  }
}
