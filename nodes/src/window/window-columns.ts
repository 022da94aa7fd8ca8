/**
 * The state of tumbling and sliding windows laid out in columns (docs/keyed-state.md):
 *
 * - keys are interned: one slot per distinct key, found through key-slots.ts (a finite number
 *   stays a number, so a numeric key costs no string; a small non-negative integer indexes a
 *   table). A slot whose last window
 *   fired goes idle: the key has no state (snapshots and commits say it is gone), but the slot
 *   stays for its next window, as keys mostly come back. A sweep, after at least half as many
 *   windows fired as there are slots, frees the slots idle since before the previous sweep
 *   (one window generation) for other keys;
 * - windows are records: their start, end, event count, latest ingest time, numeric
 *   accumulators (`x`) in typed arrays indexed by record, other accumulators (`v`) in one flat
 *   array; a key's records are a linked list (newest first, as in-order events look them up).
 *
 * Per key and window this is a few numbers in shared arrays instead of four objects (an entry,
 * its key array, its window list, the window and its accumulator arrays), which is what made
 * 1 M keys cost GC time and memory. Snapshots, restores and BullMQ's incremental commits see
 * the same entries as before, `[state key, { k: keyBy values, w: [{ s, e, n, i, x, v }] }]`,
 * so committed state written by either layout restores into the other.
 */
import { EVENT_TIME, type Event, type FieldReader, INGEST_TIME } from '@sluice/shared';
import type { KeyedColumns } from '../sdk/state.js';
import { type KeyFn, STATE_KEY_TAG } from '../sdk/state-key.js';
import type { Aggregates, Win } from './aggregates.js';
import { KeySlots } from './key-slots.js';

export const NONE = -1;

/** The interning key: a finite number as it is, anything else as its state key string. */
export type InternKey = string | number;

/**
 * An event's key for interning (`readers`: the keyBy fields; `key`: their state key function):
 * a finite number as it is, else its state key (sdk/state-key.ts).
 */
export function internKeyOfEvent(e: Event, readers: readonly FieldReader[], key: KeyFn): InternKey {
  if (readers.length !== 1) return key(e);
  const v = readers[0]!(e);
  if (typeof v === 'number' && v - v === 0) return v;
  return typeof v === 'string' && v.charCodeAt(0) !== 1 ? v : STATE_KEY_TAG + (JSON.stringify(v) ?? 'null');
}

/** The state key a snapshot names a slot by (sdk/state-key.ts's encoding). */
export function stateKeyOf(ik: InternKey): string {
  return typeof ik === 'number' ? STATE_KEY_TAG + JSON.stringify(ik) : ik;
}

/** The interning key of a state key read from a snapshot (inverse of stateKeyOf). */
export function internKeyOf(key: string, oneField: boolean): InternKey {
  if (!oneField || key.charCodeAt(0) !== 1) return key;
  const rest = key.slice(1);
  if (!/^-?[0-9]/.test(rest)) return key;
  const n = Number(rest);
  return n - n === 0 && STATE_KEY_TAG + JSON.stringify(n) === key ? n : key;
}

/** A window entry as the keyed state format holds it. */
interface EntryData {
  k: unknown[];
  w: Win[];
}

/** Doubles while small (fewer copies), then grows by half (less slack at millions of keys). */
function grownSize(n: number): number {
  return n < 1 << 20 ? n * 2 : Math.ceil(n * 1.5);
}

function grownF64(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

function grownI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/** `items` ordered by their state keys (code units, as `<`); equal keys keep their order. */
function byStateKey(items: readonly number[], keyOf: (item: number) => string): number[] {
  const keys = new Array<string>(items.length);
  const order = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) {
    keys[i] = keyOf(items[i]!);
    order[i] = i;
  }
  order.sort((a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  for (let i = 0; i < order.length; i++) order[i] = items[order[i]!]!;
  return order;
}

export class WindowColumns implements KeyedColumns {
  private readonly xs: number;
  private readonly vs: number;
  // Keys.
  private readonly slotOf = new KeySlots();
  private keyOf: InternKey[] = [];
  /** keyBy values per slot: the value itself with one field, the array with several. */
  private kvals: unknown[] = [];
  /** Newest record of each slot (NONE: the slot is free). */
  private head = new Int32Array(1024);
  private freeSlots: number[] = [];
  /** The sweep generation a slot went idle in; -1 while it has windows. */
  private idleSince = new Int32Array(1024);
  private idle = 0;
  private generation = 0;
  private firedSinceSweep = 0;
  /**
   * Changes whenever a slot may stop standing for its key (freed by a sweep, every key cleared):
   * a slot remembered for a key (Operator.acceptKeyed's memo) is valid while this holds.
   */
  epoch = 0;
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
  private next = new Int32Array(this.cap);
  x: Float64Array;
  v: unknown[] = [];
  /** Records holding an open window. */
  live = 0;
  // Changes since markClean (BullMQ commits only those), when tracking.
  private dirty: Uint8Array | undefined;
  private dirtyList: number[] = [];
  private deleted: InternKey[] = [];
  private pending: [string, unknown][] | undefined;
  /** Slots' positions in state key order; undefined when a key was interned since. */
  private rank: Int32Array | undefined;
  /** Scratch for inKeyOrder: record by rank, NONE between calls. */
  private byRank = new Int32Array(0);

  constructor(
    readonly aggs: Aggregates,
    /** keyBy fields: 0 (one global key), 1, or more. */
    private readonly fields: number,
    track: boolean,
  ) {
    this.xs = aggs.xSlots;
    this.vs = aggs.vSlots;
    this.x = new Float64Array(this.cap * this.xs);
    if (track) this.dirty = new Uint8Array(this.head.length);
  }

  /** Keys with a slot, idle ones included. */
  get interned(): number {
    return this.slotOf.size;
  }

  /** The slot of a key, NONE when it has none; it may be idle (see isIdle). */
  find(ik: InternKey): number {
    return this.slotOf.get(ik);
  }

  /** True when the slot has no window: claim it before adding one. */
  isIdle(slot: number): boolean {
    return this.idleSince[slot]! >= 0;
  }

  /**
   * The slot of a key about to get a window: its idle slot (`slot`), or a new one (slot NONE).
   * `kval` as keyValues returns it, from the event, as a key's first window takes them.
   */
  claim(ik: InternKey, slot: number, kval: unknown): number {
    if (slot === NONE) return this.newKey(ik, kval);
    this.idleSince[slot] = -1;
    this.idle--;
    this.kvals[slot] = kval;
    return slot;
  }

  private newKey(ik: InternKey, kval: unknown): number {
    this.rank = undefined;
    let s = this.freeSlots.pop();
    if (s === undefined) {
      s = this.keyOf.length;
      this.keyOf.push(ik);
      this.kvals.push(kval);
      if (s >= this.head.length) {
        this.head = grownI32(this.head, grownSize(this.head.length));
        this.idleSince = grownI32(this.idleSince, this.head.length);
        if (this.dirty !== undefined) {
          const d = new Uint8Array(this.head.length);
          d.set(this.dirty);
          this.dirty = d;
        }
      }
    } else {
      this.keyOf[s] = ik;
      this.kvals[s] = kval;
    }
    this.head[s] = NONE;
    this.idleSince[s] = -1;
    this.slotOf.set(ik, s);
    return s;
  }

  /** The record of the slot's window starting at `start`, NONE when it has none. */
  findWindow(slot: number, start: number): number {
    for (let r = this.head[slot]!; r !== NONE; r = this.next[r]!) if (this.start[r] === start) return r;
    return NONE;
  }

  /** A new empty window `[start, end)` of the slot. */
  newWindow(slot: number, start: number, end: number): number {
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
    this.next[r] = this.head[slot]!;
    this.head[slot] = r;
    this.live++;
    this.touch(slot);
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
    if (this.dirty !== undefined) this.touch(this.slot[r]!);
  }

  /**
   * Folds a combiner's partial row into record `r` (docs/combiner.md): `n` events, their latest
   * ingest time, their accumulator slots in `px` and `pv`.
   */
  addPartial(r: number, n: number, ingest: number | undefined, px: Float64Array, pv: readonly unknown[]): void {
    this.count[r]! += n;
    if (ingest !== undefined) {
      if (ingest > this.ingest[r]!) this.ingest[r] = ingest;
      if (ingest > this.seenIngest) this.seenIngest = ingest;
    }
    if (this.aggs.readsValues) this.aggs.mergeAt(this.x, r * this.xs, this.v, r * this.vs, px, 0, pv, 0);
    if (this.dirty !== undefined) this.touch(this.slot[r]!);
  }

  /** Writes record `r`'s aggregates into `o`; returns a problem as Aggregates.write does. */
  write(r: number, o: Record<string, unknown>): string | undefined {
    return this.aggs.writeAt(this.count[r]!, this.x, r * this.xs, this.v, r * this.vs, o);
  }

  /** The keyBy values of a slot (a new array with one field). */
  keyValues(slot: number): unknown[] {
    if (this.fields === 0) return [];
    return this.fields === 1 ? [this.kvals[slot]] : (this.kvals[slot] as unknown[]);
  }

  /** keyBy value `i` of a slot, without an array. */
  keyValue(slot: number, i: number): unknown {
    return this.fields === 1 ? this.kvals[slot] : (this.kvals[slot] as unknown[])[i];
  }

  stateKey(slot: number): string {
    return stateKeyOf(this.keyOf[slot]!);
  }

  /** Removes record `r` (its window fired); its key's slot goes idle when it was the key's last. */
  remove(r: number): void {
    const s = this.slot[r]!;
    let p = this.head[s]!;
    if (p === r) this.head[s] = this.next[r]!;
    else {
      while (this.next[p] !== r) p = this.next[p]!;
      this.next[p] = this.next[r]!;
    }
    if (this.vs > 0) this.v.fill(null, r * this.vs, (r + 1) * this.vs);
    this.freeRecords.push(r);
    this.live--;
    this.touch(s);
    if (this.head[s] === NONE) {
      if (this.dirty !== undefined) this.deleted.push(this.keyOf[s]!);
      this.idleSince[s] = this.generation;
      this.idle++;
    }
    this.firedSinceSweep++;
    if (this.live === 0) {
      // No record left: start the record columns over (no free list of every record).
      this.used = 0;
      this.freeRecords = [];
      this.v = [];
    }
  }

  /**
   * After windows fired: when at least half as many windows fired since the last sweep as
   * there are slots, and many slots are idle, frees the slots idle since before the last sweep.
   * The cost (one pass over the slots) is spread over the windows that fired.
   */
  sweep(): void {
    const slots = this.keyOf.length;
    if (this.idle < 1024 || this.firedSinceSweep * 2 < slots) return;
    this.firedSinceSweep = 0;
    const before = this.generation++;
    if (this.idle === slots && this.live === 0) {
      // Nothing open: drop the keys idle since before the last sweep, keep the others.
      let kept = 0;
      for (let s = 0; s < slots; s++) if (this.idleSince[s] === before) kept++;
      if (kept === 0) {
        this.clear();
        return;
      }
    }
    this.epoch++;
    for (let s = 0; s < slots; s++) {
      if (this.idleSince[s]! < 0 || this.idleSince[s]! >= before || this.keyOf[s] === undefined) continue;
      this.slotOf.delete(this.keyOf[s]!);
      this.keyOf[s] = undefined as unknown as InternKey;
      this.kvals[s] = undefined;
      this.idleSince[s] = -1;
      this.idle--;
      this.freeSlots.push(s);
    }
  }

  /** Every key and window gone. */
  private clear(): void {
    this.epoch++;
    this.rank = undefined;
    this.slotOf.clear();
    this.idle = 0;
    this.keyOf = [];
    this.kvals = [];
    this.freeSlots = [];
    this.freeRecords = [];
    this.v = [];
    this.used = 0;
    this.live = 0;
  }

  /**
   * `records` (one bucket) in state key order, as `<` orders strings. Each slot's rank in that
   * order is kept while no new key is interned, so a generation of returning keys fires without
   * sorting strings: a counting pass over the ranks (or a numeric sort of a small bucket's).
   */
  inKeyOrder(records: readonly number[]): readonly number[] {
    const n = records.length;
    const slots = this.keyOf.length;
    const bySort = () => byStateKey(records, (r) => this.stateKey(this.slot[r]!));
    if (this.rank === undefined && n * 4 < slots) return bySort();
    if (this.rank === undefined) this.rank = this.ranks();
    const rank = this.rank;
    if (this.byRank.length < slots) this.byRank = new Int32Array(slots).fill(NONE);
    const byRank = this.byRank;
    const ks = new Int32Array(n);
    let twice = false;
    for (let i = 0; i < n; i++) {
      const k = rank[this.slot[records[i]!]!]!;
      // Two windows of one key in a bucket (state restored from another window size): sort them.
      if (byRank[k] !== NONE) twice = true;
      byRank[k] = records[i]!;
      ks[i] = k;
    }
    let out: number[] | undefined;
    if (!twice) {
      out = new Array<number>(n);
      if (n * 4 < slots) {
        ks.sort();
        for (let i = 0; i < n; i++) out[i] = byRank[ks[i]!]!;
      } else {
        let j = 0;
        for (let k = 0; k < slots; k++) if (byRank[k] !== NONE) out[j++] = byRank[k]!;
      }
    }
    for (let i = 0; i < n; i++) byRank[ks[i]!] = NONE;
    return out ?? bySort();
  }

  /** Every interned slot's position in state key order (free slots rank anywhere). */
  private ranks(): Int32Array {
    const slots = this.keyOf.length;
    const order: number[] = [];
    for (let s = 0; s < slots; s++) if (this.keyOf[s] !== undefined) order.push(s);
    const rank = new Int32Array(slots);
    const sorted = byStateKey(order, (s) => this.stateKey(s));
    for (let i = 0; i < sorted.length; i++) rank[sorted[i]!] = i;
    return rank;
  }

  private touch(slot: number): void {
    const d = this.dirty;
    if (d !== undefined && d[slot] === 0) {
      d[slot] = 1;
      this.dirtyList.push(slot);
    }
  }

  private grow(): void {
    const cap = grownSize(this.cap);
    this.start = grownF64(this.start, cap);
    this.end = grownF64(this.end, cap);
    this.count = grownF64(this.count, cap);
    this.ingest = grownF64(this.ingest, cap);
    this.slot = grownI32(this.slot, cap);
    this.next = grownI32(this.next, cap);
    this.x = grownF64(this.x, cap * this.xs);
    this.cap = cap;
  }

  /** A slot's entry in the keyed state format, windows oldest first (as they were added). */
  private entry(slot: number): EntryData {
    const w: Win[] = [];
    for (let r = this.head[slot]!; r !== NONE; r = this.next[r]!) {
      const x: number[] = new Array(this.xs);
      for (let k = 0; k < this.xs; k++) x[k] = this.x[r * this.xs + k]!;
      w.push({
        s: this.start[r]!,
        e: this.end[r]!,
        n: this.count[r]!,
        i: this.ingest[r]!,
        x,
        v: this.v.slice(r * this.vs, (r + 1) * this.vs),
      });
    }
    return { k: this.keyValues(slot), w: w.reverse() };
  }

  entries(): [string, unknown][] {
    if (this.pending !== undefined) return this.pending;
    const out: [string, unknown][] = [];
    for (let s = 0; s < this.keyOf.length; s++) {
      if (this.keyOf[s] !== undefined && this.idleSince[s]! < 0 && this.head[s] !== NONE) out.push([this.stateKey(s), this.entry(s)]);
    }
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
    const dirty = this.dirty;
    this.dirty = undefined; // what is restored is what is committed
    for (const [key, value] of entries) {
      const { k, w } = value as EntryData;
      const slot = this.newKey(internKeyOf(key, this.fields === 1), this.fields === 1 ? k[0] : k);
      for (const win of w) {
        const r = this.newWindow(slot, win.s, win.e);
        this.count[r] = win.n;
        this.ingest[r] = win.i;
        for (let j = 0; j < this.xs; j++) this.x[r * this.xs + j] = win.x[j]!;
        for (let j = 0; j < this.vs; j++) this.v[r * this.vs + j] = win.v[j];
        scheduled(r, win.e);
      }
    }
    if (dirty !== undefined) this.dirty = new Uint8Array(this.head.length);
  }

  changes(): { set: [string, unknown][]; deleted: string[] } {
    const set: [string, unknown][] = [];
    for (const s of this.dirtyList)
      if (this.head[s] !== NONE && this.keyOf[s] !== undefined && this.slotOf.get(this.keyOf[s]!) === s)
        set.push([this.stateKey(s), this.entry(s)]);
    const deleted: string[] = [];
    for (const ik of new Set(this.deleted)) {
      const s = this.slotOf.get(ik);
      if (s === NONE || this.head[s] === NONE) deleted.push(stateKeyOf(ik));
    }
    return { set, deleted };
  }

  markClean(): void {
    const d = this.dirty;
    if (d !== undefined) for (const s of this.dirtyList) d[s] = 0;
    this.dirtyList = [];
    this.deleted = [];
  }
}
