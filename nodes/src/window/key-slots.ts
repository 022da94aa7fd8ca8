/**
 * Interned key -> slot. Small non-negative integer keys (ids, the usual numeric key) index an
 * Int32Array directly: no hashing, and 4 bytes per possible key instead of a Map entry. The
 * table grows only while it stays within a few times the keys held; any other key, and an
 * integer beyond the table when it arrived, goes to the Map (a lookup tries both only while
 * the Map holds such an integer).
 */
import type { InternKey } from './intern-key.js';

const NONE = -1;
const MAX_TABLE = 1 << 26;

function isIndex(ik: InternKey): ik is number {
  return typeof ik === 'number' && ik >= 0 && ik < MAX_TABLE && (ik | 0) === ik;
}

export class KeySlots {
  private table = new Int32Array(0);
  private readonly map = new Map<InternKey, number>();
  private inTable = 0;
  /** Integers in the Map that a grown table would cover: lookups then check the Map too. */
  private intsInMap = 0;

  get size(): number {
    return this.inTable + this.map.size;
  }

  get(ik: InternKey): number {
    if (isIndex(ik) && ik < this.table.length) {
      const s = this.table[ik]!;
      if (s !== NONE || this.intsInMap === 0) return s;
    }
    return this.map.get(ik) ?? NONE;
  }

  set(ik: InternKey, slot: number): void {
    if (isIndex(ik)) {
      if (ik >= this.table.length && ik < 2 * (this.size + 65_536)) this.grow(ik);
      if (ik < this.table.length && !this.map.has(ik)) {
        if (this.table[ik] === NONE) this.inTable++;
        this.table[ik] = slot;
        return;
      }
      if (!this.map.has(ik)) this.intsInMap++;
    }
    this.map.set(ik, slot);
  }

  delete(ik: InternKey): void {
    if (isIndex(ik) && ik < this.table.length && this.table[ik] !== NONE) {
      this.table[ik] = NONE;
      this.inTable--;
      return;
    }
    if (this.map.delete(ik) && isIndex(ik)) this.intsInMap--;
  }

  clear(): void {
    this.table.fill(NONE);
    this.inTable = 0;
    this.map.clear();
    this.intsInMap = 0;
  }

  private grow(ik: number): void {
    let n = Math.max(1024, this.table.length);
    while (n <= ik) n *= 2;
    const t = new Int32Array(Math.min(n, MAX_TABLE)).fill(NONE);
    t.set(this.table);
    this.table = t;
  }
}
