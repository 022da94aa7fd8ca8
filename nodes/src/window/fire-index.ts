/**
 * When windows are due, derived from the declared state (rebuilt on restore): a min-heap of
 * (fire time, key) pairs in two parallel arrays (no object per entry), so a watermark that fires
 * nothing costs one comparison. A key may have several entries, and an entry may be early (a
 * session that grew since): the operator re-checks each due key's windows and schedules the
 * ones not due yet again.
 */
export class FireIndex {
  private readonly times: number[] = [];
  private readonly keys: string[] = [];

  get size(): number {
    return this.times.length;
  }

  add(time: number, key: string): void {
    const times = this.times;
    const keys = this.keys;
    let i = times.length;
    times.push(time);
    keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p]! <= time) break;
      times[i] = times[p]!;
      keys[i] = keys[p]!;
      i = p;
    }
    times[i] = time;
    keys[i] = key;
  }

  /** The earliest fire time (Infinity when none). */
  next(): number {
    return this.times.length > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  /** Keys with an entry at or before `watermark`, each once; their entries are removed. */
  takeDue(watermark: number): Set<string> {
    const out = new Set<string>();
    while (this.times.length > 0 && this.times[0]! <= watermark) out.add(this.pop());
    return out;
  }

  clear(): void {
    this.times.length = 0;
    this.keys.length = 0;
  }

  private pop(): string {
    const times = this.times;
    const keys = this.keys;
    const top = keys[0]!;
    const lastTime = times.pop()!;
    const lastKey = keys.pop()!;
    const n = times.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && times[r]! < times[l]! ? r : l;
      if (times[m]! >= lastTime) break;
      times[i] = times[m]!;
      keys[i] = keys[m]!;
      i = m;
    }
    times[i] = lastTime;
    keys[i] = lastKey;
    return top;
  }
}
