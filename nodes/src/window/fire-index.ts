/**
 * When windows are due: fire time -> keys with a window firing then, plus a min-heap of fire
 * times, so a watermark that fires nothing costs one comparison. Entries may go stale (a
 * session that grew); the operator re-checks each key's windows when an entry comes due.
 */
export class FireIndex {
  private readonly byTime = new Map<number, Set<string>>();
  private readonly heap: number[] = [];

  add(time: number, key: string): void {
    let keys = this.byTime.get(time);
    if (!keys) {
      this.byTime.set(time, (keys = new Set()));
      this.push(time);
    }
    keys.add(key);
  }

  /** Keys with an entry at or before `watermark` (entries removed). */
  due(watermark: number): Set<string> {
    const out = new Set<string>();
    while (this.heap.length > 0 && this.heap[0]! <= watermark) {
      const t = this.pop();
      for (const k of this.byTime.get(t) ?? []) out.add(k);
      this.byTime.delete(t);
    }
    return out;
  }

  clear(): void {
    this.byTime.clear();
    this.heap.length = 0;
  }

  private push(t: number): void {
    const h = this.heap;
    h.push(t);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (h[p]! <= h[i]!) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]! < h[m]!) m = l;
        if (r < h.length && h[r]! < h[m]!) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
