/**
 * Firing order of a bucket of window records: by state key, as `<` orders strings (the
 * documented order is end, start, key; a bucket shares end and start). Each slot's rank in that
 * order is kept while no new key is interned, so a generation of returning keys fires without
 * sorting strings: a counting pass over the ranks (or a numeric sort of a small bucket's).
 */
import type { KeyTable } from './key-table.js';
import { NONE } from './window-lists.js';

/** `items` ordered by their state keys (code units, as `<`); equal keys keep their order. */
export function byStateKey(items: readonly number[], keyOf: (item: number) => string): number[] {
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

export class StateKeyOrder {
  /** Slots' positions in state key order; undefined when a key was interned since. */
  private rank: Int32Array | undefined;
  /** Scratch for order: record by rank, NONE between calls. */
  private byRank = new Int32Array(0);

  /** A key was interned (or every key cleared): the ranks are computed again when needed. */
  invalidate(): void {
    this.rank = undefined;
  }

  /** `records` (one bucket; `slotOf`: each record's slot) in state key order. */
  order(records: readonly number[], slotOf: Int32Array, keys: KeyTable): readonly number[] {
    const n = records.length;
    const slots = keys.slotCount;
    const bySort = () => byStateKey(records, (r) => keys.stateKey(slotOf[r]!));
    if (this.rank === undefined && n * 4 < slots) return bySort();
    if (this.rank === undefined) this.rank = ranks(keys);
    const rank = this.rank;
    if (this.byRank.length < slots) this.byRank = new Int32Array(slots).fill(NONE);
    const byRank = this.byRank;
    const ks = new Int32Array(n);
    let twice = false;
    for (let i = 0; i < n; i++) {
      const k = rank[slotOf[records[i]!]!]!;
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
}

/** Every interned slot's position in state key order (free slots rank anywhere). */
function ranks(keys: KeyTable): Int32Array {
  const slots = keys.slotCount;
  const order: number[] = [];
  for (let s = 0; s < slots; s++) if (keys.internKey(s) !== undefined) order.push(s);
  const rank = new Int32Array(slots);
  const sorted = byStateKey(order, (s) => keys.stateKey(s));
  for (let i = 0; i < sorted.length; i++) rank[sorted[i]!] = i;
  return rank;
}
