/**
 * Which keys of the window columns changed since the last commit (BullMQ commits only those,
 * one Redis hash field per key): slots whose windows changed, and keys that went idle.
 */
import { grownU8 } from './grown-arrays.js';
import type { InternKey } from './intern-key.js';

export class ChangedSlots {
  private marked: Uint8Array;
  /** Slots marked, in the order they were. */
  list: number[] = [];
  /** Keys whose last window fired (maybe back since: the columns check). */
  gone: InternKey[] = [];

  constructor(slots: number) {
    this.marked = new Uint8Array(slots);
  }

  touch(slot: number): void {
    const d = this.marked;
    if (d[slot] === 0) {
      d[slot] = 1;
      this.list.push(slot);
    }
  }

  /** Room for `slots` slots. */
  grow(slots: number): void {
    this.marked = grownU8(this.marked, slots);
  }

  clean(): void {
    for (const s of this.list) this.marked[s] = 0;
    this.list = [];
    this.gone = [];
  }
}
