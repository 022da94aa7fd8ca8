/**
 * A slot of the window columns as the keyed state format holds it (snapshots, restores,
 * BullMQ's per-key commits; docs/keyed-state.md): `{ k: keyBy values, w: [{ s, e, n, i, x, v }] }`.
 */
import type { Win } from './aggregates.js';
import type { WindowColumns } from './window-columns.js';
import { NONE } from './window-lists.js';

/** A window entry as the keyed state format holds it. */
export interface EntryData {
  k: unknown[];
  w: Win[];
}

/**
 * A slot's entry, windows by start, earliest first (the list's order reversed; windows of
 * one start, only from state restored under another size, in the order they were made).
 */
export function entryOf(cols: WindowColumns, slot: number): EntryData {
  const { xs, vs } = cols;
  const next = cols.lists.next;
  const w: Win[] = [];
  for (let r = cols.lists.head[slot]!; r !== NONE; r = next[r]!) {
    const x: number[] = new Array(xs);
    for (let k = 0; k < xs; k++) x[k] = cols.x[r * xs + k]!;
    w.push({
      s: cols.start[r]!,
      e: cols.end[r]!,
      n: cols.count[r]!,
      i: cols.ingest[r]!,
      x,
      v: cols.v.slice(r * vs, (r + 1) * vs),
    });
  }
  return { k: cols.keys.keyValues(slot), w: w.reverse() };
}
