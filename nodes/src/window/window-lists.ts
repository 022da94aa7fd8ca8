/**
 * Each key's open fixed windows (window-columns.ts): a doubly linked list of window records per
 * slot, sorted by start, latest first. An event's windows are a run of starts `slide` apart: one
 * walk of the list, in step with them, finds or places them all (`walk`, then `seek` each start
 * in turn, `insertAtWalk` the missing ones), so no window is looked at twice. The walk comes
 * from the end nearer the event's windows (`walkNearest`): from the head (latest start) for
 * in-order events, from the tail for an input behind the others in event time (its windows are
 * the oldest still open when it holds the watermark back). An event in k windows costs k steps
 * plus the windows between its own and that end, not k²/2 (docs/windows.md "Finding an event's
 * windows"). Firing unlinks a record in place.
 */
import { grownI32 } from './grown-arrays.js';

export const NONE = -1;

export class WindowLists {
  /** The latest-start record of each slot (NONE: no window), and the earliest. */
  head: Int32Array<ArrayBuffer>;
  tail: Int32Array<ArrayBuffer>;
  /** The next record toward the tail (an earlier start, or the same start made before). */
  next: Int32Array<ArrayBuffer>;
  /** The next record toward the head. */
  private prev: Int32Array<ArrayBuffer>;
  // The walk in progress: its direction (up: from the tail, starts sought increasing), the
  // last record it passed (NONE at its end of the list) and the one it stands at.
  private up = false;
  private passed = NONE;
  private at = NONE;
  /** Records stepped past by walks: for tests that the work per event stays linear. */
  steps = 0;

  constructor(slots: number, records: number) {
    this.head = new Int32Array(slots);
    this.tail = new Int32Array(slots);
    this.next = new Int32Array(records);
    this.prev = new Int32Array(records);
  }

  growSlots(slots: number): void {
    this.head = grownI32(this.head, slots);
    this.tail = grownI32(this.tail, slots);
  }

  growRecords(records: number): void {
    this.next = grownI32(this.next, records);
    this.prev = grownI32(this.prev, records);
  }

  /** A slot with no window. */
  clearSlot(slot: number): void {
    this.head[slot] = NONE;
    this.tail[slot] = NONE;
  }

  /** Starts a walk of `slot`'s list at its head: starts then sought must not increase. */
  walk(slot: number): void {
    this.up = false;
    this.passed = NONE;
    this.at = this.head[slot]!;
  }

  /**
   * Starts a walk of `slot` for windows from `latest` down to `earliest` (`starts`: each
   * record's start) at the end nearer them, by the time between: true when from the tail (the
   * starts must then be sought increasing, from `earliest`), false from the head.
   */
  walkNearest(starts: Float64Array, slot: number, latest: number, earliest: number): boolean {
    const h = this.head[slot]!;
    // In order (no window later than the event's): from the head, without reading the tail.
    if (h === NONE || starts[h]! <= latest || starts[h]! - latest <= earliest - starts[this.tail[slot]!]!) {
      this.walk(slot);
      return false;
    }
    this.up = true;
    this.passed = NONE;
    this.at = this.tail[slot]!;
    return true;
  }

  /**
   * The walk's record starting at `start` (`starts`: each record's start), NONE when there is
   * none; the walk then stands where such a window goes. Of records with one start (state
   * restored under another size) the one made last, from either end.
   */
  seek(starts: Float64Array, start: number): number {
    let passed = this.passed;
    let at = this.at;
    let steps = 0;
    if (!this.up) {
      const next = this.next;
      while (at !== NONE && starts[at]! > start) {
        passed = at;
        at = next[at]!;
        steps++;
      }
    } else {
      const prev = this.prev;
      while (at !== NONE && starts[at]! < start) {
        passed = at;
        at = prev[at]!;
        steps++;
      }
      // The same start again toward the head: made later (as the walk from the head finds it).
      while (at !== NONE && starts[at] === start && prev[at] !== NONE && starts[prev[at]!] === start) {
        at = prev[at]!;
        steps++;
      }
    }
    this.passed = passed;
    this.at = at;
    this.steps += steps;
    return at !== NONE && starts[at] === start ? at : NONE;
  }

  /** Links record `r` of `slot` where the walk stands (after a seek of its start found none). */
  insertAtWalk(slot: number, r: number): void {
    const passed = this.passed;
    const at = this.at;
    if (!this.up) {
      this.prev[r] = passed;
      this.next[r] = at;
      if (passed === NONE) this.head[slot] = r;
      else this.next[passed] = r;
      if (at === NONE) this.tail[slot] = r;
      else this.prev[at] = r;
    } else {
      this.next[r] = passed;
      this.prev[r] = at;
      if (passed === NONE) this.tail[slot] = r;
      else this.prev[passed] = r;
      if (at === NONE) this.head[slot] = r;
      else this.next[at] = r;
    }
    this.passed = r;
  }

  /** Unlinks record `r` from `slot`'s list. */
  unlink(slot: number, r: number): void {
    const p = this.prev[r]!;
    const n = this.next[r]!;
    if (p === NONE) this.head[slot] = n;
    else this.next[p] = n;
    if (n === NONE) this.tail[slot] = p;
    else this.prev[n] = p;
  }
}
