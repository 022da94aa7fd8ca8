/**
 * Where each posted record of a split source.http node goes: partition
 * keyPartition(keyText(record[partitionBy]), N), the function producers use too
 * (@sluice/shared key-partition.ts; docs/durable-ingest.md). A record that has no key text there
 * refuses the whole request: dropping it, or guessing a partition, would lose or hide it.
 */
import { fieldReader, keyPartition, keyText } from '@sluice/shared';
import type { InboxSplit } from '@sluice/nodes/sdk';

/** The split a node was opened with, without the partition that opened it. */
export type NodeSplit = Pick<InboxSplit, 'of' | 'partitionBy'>;

/** A record that cannot be placed: its index in the request, and the field. */
export interface Unplaced {
  unplaced: { record: number; field: string };
}

/** Each record's partition, in order; or the first record without a key. */
export function placeRecords(records: readonly unknown[], split: NodeSplit): number[] | Unplaced {
  const read = fieldReader(split.partitionBy);
  const out = new Array<number>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const text = r !== null && typeof r === 'object' && !Array.isArray(r) ? keyText(read(r as Record<string, unknown>)) : undefined;
    if (text === undefined) return { unplaced: { record: i, field: split.partitionBy } };
    out[i] = keyPartition(text, split.of);
  }
  return out;
}
