/**
 * What every combiner's partial rows share (docs/combiner.md): the number of events a row folds,
 * in a field no document can mean (U+0001 prefix), so the runtime can count events, not rows,
 * wherever rows travel (a node's `in`, a stop's discarded events). Browser-safe.
 */
import type { Event } from '@sluice/shared';

/** Events a partial row folds; its presence marks a row as partial. */
export const PARTIAL_EVENTS = '\u0001n';

/** The events a batch from a combiner stands for: each partial row its count, anything else 1. */
export function eventsOf(batch: readonly Event[]): number {
  let n = 0;
  for (let b = 0; b < batch.length; b++) {
    const folded = batch[b]![PARTIAL_EVENTS];
    n += typeof folded === 'number' ? folded : 1;
  }
  return n;
}
