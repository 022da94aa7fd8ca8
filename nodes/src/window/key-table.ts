/**
 * The keys of the window columns (window-columns.ts), interned: one slot per distinct key,
 * found through key-slots.ts, with its keyBy values. A slot whose last window fired goes idle:
 * the key has no state (snapshots and commits say it is gone), but the slot stays for its next
 * window, as keys mostly come back. A sweep, after at least half as many windows fired as there
 * are slots, frees the slots idle since before the previous sweep (one window generation) for
 * other keys.
 */
import { grownI32, grownSize } from './grown-arrays.js';
import { type InternKey, stateKeyOf } from './intern-key.js';
import { KeySlots } from './key-slots.js';

export class KeyTable {
  private readonly slotOf = new KeySlots();
  private keyOf: InternKey[] = [];
  /** keyBy values per slot: the value itself with one field, the array with several. */
  private kvals: unknown[] = [];
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

  constructor(
    /** keyBy fields: 0 (one global key), 1, or more. */
    readonly fields: number,
  ) {}

  /** Keys with a slot, idle ones included. */
  get interned(): number {
    return this.slotOf.size;
  }

  /** Slots in use, idle or free. */
  get slotCount(): number {
    return this.keyOf.length;
  }

  /** Room for this many slots: per-slot arrays elsewhere keep this length. */
  get capacity(): number {
    return this.idleSince.length;
  }

  /** The slot of a key, NONE when it has none; it may be idle (see isIdle). */
  find(ik: InternKey): number {
    return this.slotOf.get(ik);
  }

  /** True when the slot has no window. */
  isIdle(slot: number): boolean {
    return this.idleSince[slot]! >= 0;
  }

  /** True when the slot stands for its key and has windows. */
  isLive(slot: number): boolean {
    return this.keyOf[slot] !== undefined && this.idleSince[slot]! < 0;
  }

  /** True when `slot` is the one `ik`'s key has now (not freed and given to another). */
  holds(slot: number): boolean {
    const ik = this.keyOf[slot];
    return ik !== undefined && this.slotOf.get(ik) === slot;
  }

  /** An idle slot taken back for its key's new window, its keyBy values as the event has them. */
  wake(slot: number, kval: unknown): void {
    this.idleSince[slot] = -1;
    this.idle--;
    this.kvals[slot] = kval;
  }

  /** A slot for a new key (a free one, or a new one: see capacity). */
  add(ik: InternKey, kval: unknown): number {
    let s = this.freeSlots.pop();
    if (s === undefined) {
      s = this.keyOf.length;
      this.keyOf.push(ik);
      this.kvals.push(kval);
      if (s >= this.idleSince.length) this.idleSince = grownI32(this.idleSince, grownSize(this.idleSince.length));
    } else {
      this.keyOf[s] = ik;
      this.kvals[s] = kval;
    }
    this.idleSince[s] = -1;
    this.slotOf.set(ik, s);
    return s;
  }

  /** The slot's last window fired. */
  wentIdle(slot: number): void {
    this.idleSince[slot] = this.generation;
    this.idle++;
  }

  /** A window fired (sweeps are paid for by them). */
  fired(): void {
    this.firedSinceSweep++;
  }

  /**
   * When at least half as many windows fired since the last sweep as there are slots, and many
   * slots are idle, frees the slots idle since before the last sweep. The cost (one pass over the
   * slots) is spread over the windows that fired. Returns true when every key was dropped
   * (`windows`: none open then): the caller starts its records over.
   */
  sweep(windows: number): boolean {
    const slots = this.keyOf.length;
    if (this.idle < 1024 || this.firedSinceSweep * 2 < slots) return false;
    this.firedSinceSweep = 0;
    const before = this.generation++;
    if (this.idle === slots && windows === 0) {
      // Nothing open: drop the keys idle since before the last sweep, keep the others.
      let kept = 0;
      for (let s = 0; s < slots; s++) if (this.idleSince[s] === before) kept++;
      if (kept === 0) {
        this.clear();
        return true;
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
    return false;
  }

  /** Every key gone. */
  clear(): void {
    this.epoch++;
    this.slotOf.clear();
    this.idle = 0;
    this.keyOf = [];
    this.kvals = [];
    this.freeSlots = [];
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

  /** The interning key of a slot (undefined for a free slot). */
  internKey(slot: number): InternKey | undefined {
    return this.keyOf[slot];
  }

  stateKey(slot: number): string {
    return stateKeyOf(this.keyOf[slot]!);
  }
}
