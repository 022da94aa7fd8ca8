/**
 * The state of tumbling and sliding windows laid out in columns (docs/keyed-state.md):
 *
 * - keys are interned (key-table.ts): one slot per distinct key; a slot whose last window fired
 *   goes idle for the key's next window, and sweeps free the long idle ones;
 * - windows are records: their start, end, event count, latest ingest time, numeric
 *   accumulators (`x`) in typed arrays indexed by record, other accumulators (`v`) in one flat
 *   array; a key's records are a linked list, latest start first (window-lists.ts).
 *
 * Per key and window this is a few numbers in shared arrays instead of four objects (an entry,
 * its key array, its window list, the window and its accumulator arrays), which is what made
 * 1 M keys cost GC time and memory. Snapshots, restores and BullMQ's incremental commits see
 * the same entries as before, `[state key, { k: keyBy values, w: [{ s, e, n, i, x, v }] }]`
 * (window-entries.ts), so committed state written by either layout restores into the other.
 */
import { EVENT_TIME, type Event, INGEST_TIME } from '@sluice/shared';
import type { KeyedColumns } from '../sdk/state.js';
import type { Aggregates } from './aggregates.js';
import { ChangedSlots } from './changed-slots.js';
import { grownF64, grownI32, grownSize } from './grown-arrays.js';
import { type InternKey, internKeyOf, stateKeyOf } from './intern-key.js';
import { KeyTable } from './key-table.js';
import { StateKeyOrder } from './state-key-order.js';
import { type EntryData, entryOf } from './window-entries.js';
import { NONE, WindowLists } from './window-lists.js';

export { NONE };

export class WindowColumns implements KeyedColumns {
  /** Numeric (`x`) and other (`v`) accumulator slots per record. */
  readonly xs: number;
  readonly vs: number;
  readonly keys: KeyTable;
  /** Each slot's windows (head NONE: none, or the slot is free). */
  readonly lists: WindowLists;
  // Records.
  private cap = 1024;
  private used = 0;
  private freeRecords: number[] = [];
  start = new Float64Array(this.cap);
  end = new Float64Array(this.cap);
  count = new Float64Array(this.cap);
  ingest = new Float64Array(this.cap);
  /**
   * The latest ingest time of any event added: a window fires on a watermark that no input
   * before this one carried, so a result's ingest time is at least this (docs/windows.md).
   * Not state: after a restore it starts again from the next event.
   */
  seenIngest = 0;
  slot = new Int32Array(this.cap);
  x: Float64Array;
  v: unknown[] = [];
  /** Records holding an open window. */
  live = 0;
  /** Changes since markClean (BullMQ commits only those), when tracking. */
  private changed: ChangedSlots | undefined;
  private pending: [string, unknown][] | undefined;
  private readonly order = new StateKeyOrder();

  constructor(
    readonly aggs: Aggregates,
    /** keyBy fields: 0 (one global key), 1, or more. */
    fields: number,
    track: boolean,
  ) {
    this.xs = aggs.xSlots;
    this.vs = aggs.vSlots;
    this.x = new Float64Array(this.cap * this.xs);
    this.keys = new KeyTable(fields);
    this.lists = new WindowLists(this.keys.capacity, this.cap);
    if (track) this.changed = new ChangedSlots(this.keys.capacity);
  }

  /**
   * The slot of a key about to get a window: its idle slot (`slot`, from keys.find, idle when
   * keys.isIdle), or a new one (slot NONE).
   * `kval` as keyValues returns it, from the event, as a key's first window takes them.
   */
  claim(ik: InternKey, slot: number, kval: unknown): number {
    if (slot === NONE) return this.newKey(ik, kval);
    this.keys.wake(slot, kval);
    return slot;
  }

  private newKey(ik: InternKey, kval: unknown): number {
    this.order.invalidate();
    const s = this.keys.add(ik, kval);
    const capacity = this.keys.capacity;
    if (this.lists.head.length < capacity) {
      this.lists.growSlots(capacity);
      this.changed?.grow(capacity);
    }
    this.lists.clearSlot(s);
    return s;
  }

  /**
   * Starts a walk of the slot's windows, latest start first: seekWindow then finds them in
   * step, and newWindowAtWalk places a missing one (window-lists.ts).
   */
  walk(slot: number): void {
    this.lists.walk(slot);
  }

  /**
   * Starts a walk of the slot's windows for an event's, `latest` down to `earliest` start, at
   * the nearer end of the list: true when from the earliest (seek the starts increasing then).
   */
  walkNearest(slot: number, latest: number, earliest: number): boolean {
    return this.lists.walkNearest(this.start, slot, latest, earliest);
  }

  /** The walked slot's window starting at `start`, NONE when it has none (starts sought in the walk's order). */
  seekWindow(start: number): number {
    return this.lists.seek(this.start, start);
  }

  /** The record of the slot's window starting at `start`, NONE when it has none (a walk of its own). */
  findWindow(slot: number, start: number): number {
    this.lists.walk(slot);
    return this.lists.seek(this.start, start);
  }

  /** A new empty window `[start, end)` of the slot, in its place by start. */
  newWindow(slot: number, start: number, end: number): number {
    this.findWindow(slot, start);
    return this.newWindowAtWalk(slot, start, end);
  }

  /** A new empty window `[start, end)` of the walked slot where the walk stands (seekWindow(start) found none). */
  newWindowAtWalk(slot: number, start: number, end: number): number {
    let r = this.freeRecords.pop();
    if (r === undefined) {
      r = this.used++;
      if (r >= this.cap) this.grow();
      for (let k = 0; k < this.vs; k++) this.v.push(null);
    }
    this.start[r] = start;
    this.end[r] = end;
    this.count[r] = 0;
    this.ingest[r] = 0;
    this.slot[r] = slot;
    this.x.fill(0, r * this.xs, (r + 1) * this.xs);
    if (this.vs > 0) this.aggs.initValues(this.v, r * this.vs);
    this.lists.insertAtWalk(slot, r);
    this.live++;
    this.changed?.touch(slot);
    return r;
  }

  /** Adds `e`, whose values the aggregates last read, to record `r`. */
  add(r: number, e: Event): void {
    // Times read here from the event, not passed in: a double handed to a call is a new heap number.
    this.count[r]!++;
    const ingest = e[INGEST_TIME];
    if (ingest !== undefined) {
      if (ingest > this.ingest[r]!) this.ingest[r] = ingest;
      if (ingest > this.seenIngest) this.seenIngest = ingest;
    }
    if (this.aggs.readsValues) this.aggs.addAt(this.x, r * this.xs, this.v, r * this.vs, e[EVENT_TIME] ?? 0);
    if (this.changed !== undefined) this.changed.touch(this.slot[r]!);
  }

  /** Record `r` changed other than through add (partial-row-merge.ts): commits must carry it. */
  touched(r: number): void {
    if (this.changed !== undefined) this.changed.touch(this.slot[r]!);
  }

  /** Writes record `r`'s aggregates into `o`; returns a problem as Aggregates.write does. */
  write(r: number, o: Record<string, unknown>): string | undefined {
    return this.aggs.writeAt(this.count[r]!, this.x, r * this.xs, this.v, r * this.vs, o);
  }

  /** Removes record `r` (its window fired); its key's slot goes idle when it was the key's last. */
  remove(r: number): void {
    const s = this.slot[r]!;
    this.lists.unlink(s, r);
    if (this.vs > 0) this.v.fill(null, r * this.vs, (r + 1) * this.vs);
    this.freeRecords.push(r);
    this.live--;
    this.changed?.touch(s);
    if (this.lists.head[s] === NONE) {
      this.changed?.gone.push(this.keys.internKey(s)!);
      this.keys.wentIdle(s);
    }
    this.keys.fired();
    if (this.live === 0) this.clearRecords();
  }

  /** No record left: start the record columns over (no free list of every record). */
  private clearRecords(): void {
    this.used = 0;
    this.live = 0;
    this.freeRecords = [];
    this.v = [];
  }

  /** After windows fired: frees keys idle for a generation (KeyTable.sweep). */
  sweep(): void {
    if (this.keys.sweep(this.live)) this.order.invalidate();
  }

  /** Every key and window gone. */
  private clear(): void {
    this.keys.clear();
    this.order.invalidate();
    this.clearRecords();
  }

  /** `records` (one bucket) in state key order, as `<` orders strings (state-key-order.ts). */
  inKeyOrder(records: readonly number[]): readonly number[] {
    return this.order.order(records, this.slot, this.keys);
  }

  private grow(): void {
    const cap = grownSize(this.cap);
    this.start = grownF64(this.start, cap);
    this.end = grownF64(this.end, cap);
    this.count = grownF64(this.count, cap);
    this.ingest = grownF64(this.ingest, cap);
    this.slot = grownI32(this.slot, cap);
    this.lists.growRecords(cap);
    this.x = grownF64(this.x, cap * this.xs);
    this.cap = cap;
  }

  entries(): [string, unknown][] {
    if (this.pending !== undefined) return this.pending;
    const out: [string, unknown][] = [];
    const head = this.lists.head;
    for (let s = 0; s < this.keys.slotCount; s++)
      if (this.keys.isLive(s) && head[s] !== NONE) out.push([this.keys.stateKey(s), entryOf(this, s)]);
    return out;
  }

  restore(entries: [string, unknown][]): void {
    this.clear();
    this.markClean();
    this.pending = entries;
  }

  /**
   * Loads restored entries (called by the operator once it has checked their layout); calls
   * `scheduled` with each window's record and end, to rebuild what is derived.
   */
  load(scheduled: (r: number, end: number) => void): void {
    const entries = this.pending ?? [];
    this.pending = undefined;
    const changed = this.changed;
    this.changed = undefined; // what is restored is what is committed
    const oneField = this.keys.fields === 1;
    for (const [key, value] of entries) {
      const { k, w } = value as EntryData;
      const slot = this.newKey(internKeyOf(key, oneField), oneField ? k[0] : k);
      for (const win of w) {
        const r = this.newWindow(slot, win.s, win.e);
        this.count[r] = win.n;
        this.ingest[r] = win.i;
        for (let j = 0; j < this.xs; j++) this.x[r * this.xs + j] = win.x[j]!;
        for (let j = 0; j < this.vs; j++) this.v[r * this.vs + j] = win.v[j];
        scheduled(r, win.e);
      }
    }
    if (changed !== undefined) this.changed = new ChangedSlots(this.keys.capacity);
  }

  changes(): { set: [string, unknown][]; deleted: string[] } {
    const set: [string, unknown][] = [];
    const deleted: string[] = [];
    const changed = this.changed;
    if (changed === undefined) return { set, deleted };
    const head = this.lists.head;
    for (const s of changed.list) if (head[s] !== NONE && this.keys.holds(s)) set.push([this.keys.stateKey(s), entryOf(this, s)]);
    for (const ik of new Set(changed.gone)) {
      const s = this.keys.find(ik);
      if (s === NONE || head[s] === NONE) deleted.push(stateKeyOf(ik));
    }
    return { set, deleted };
  }

  markClean(): void {
    this.changed?.clean();
  }
}
