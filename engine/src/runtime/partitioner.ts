/**
 * Which partition of a keyed stage an event goes to. Deterministic across processes (the
 * BullMQ runner routes with it too): FNV-1a over the key's string form.
 */
import { type Event, fieldReader } from '@sluice/shared';

export type Partitioner = (event: Event) => number;

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function keyPartitioner(keyBy: readonly string[], partitions: number): Partitioner {
  if (partitions <= 1 || keyBy.length === 0) return () => 0;
  const readers = keyBy.map(fieldReader);
  if (readers.length === 1) {
    const read = readers[0]!;
    // Keys repeat (campaigns, SKUs, devices): a Map lookup uses V8's cached string hash and
    // beats re-hashing a 36-character id per event. Bounded so a high-cardinality key cannot grow it.
    const cache = new Map<string, number>();
    return (e) => {
      const k = String(read(e));
      let p = cache.get(k);
      if (p === undefined) {
        p = fnv1a(k) % partitions;
        if (cache.size >= 100_000) cache.clear();
        cache.set(k, p);
      }
      return p;
    };
  }
  return (e) => fnv1a(readers.map((r) => String(r(e))).join('\u0000')) % partitions;
}
