/**
 * The partial row a combiner sends across a keyed exchange instead of a window's events
 * (docs/combiner.md). Browser-safe: the definition names its fields for the planner.
 *
 * A partial row is an event with the key fields (written as the window writes them, so the
 * exchange's partitioner and the window read the same key), the event time of its first event,
 * the latest ingest time of its events, and flat numeric/string fields (so the thread and BullMQ
 * codecs keep it in columns): `\u0001n` the number of events it folds, `\u0001x<i>` and
 * `\u0001v<i>` the window's accumulator slots (aggregates.ts). The U+0001 prefix keeps them apart
 * from fields a document can name (a field of the input is never read as a partial's).
 */
import { PARTIAL_EVENTS } from '../sdk/partial-rows.js';
import type { AggregateOp, WindowConfig } from './definition.js';

/** Events a partial row folds; its presence marks a row as partial (sdk/partial-rows.ts). */
export const PARTIAL_COUNT = PARTIAL_EVENTS;

/** Numeric and other accumulator slots each op takes (aggregates.ts X_SLOTS / V_SLOTS). */
const SLOTS: Record<AggregateOp, readonly [number, number]> = {
  count: [0, 0],
  sum: [2, 0],
  avg: [2, 0],
  min: [2, 1],
  max: [2, 1],
  count_distinct: [0, 1],
  first: [1, 1],
  last: [1, 1],
};

/**
 * Ops whose partials merge into exactly what the events would make. count_distinct (a set per
 * window) and first/last (ties broken by arrival order across batches) are left out.
 */
// Not sum/avg: the window adds event by event in floating point, and an integer subtotal
// added to a sum that already holds a fraction can differ in the last bit from adding its
// integers one at a time. Results must not depend on batching or runner (docs/combiner.md).
const COMBINES: ReadonlySet<AggregateOp> = new Set(['count', 'min', 'max']);

export function partialXField(i: number): string {
  return `\u0001x${i}`;
}

export function partialVField(i: number): string {
  return `\u0001v${i}`;
}

/** The accumulator fields of a partial row, beside PARTIAL_COUNT. */
export function slotFields(c: WindowConfig): { x: string[]; v: string[] } {
  let xs = 0;
  let vs = 0;
  for (const a of c.aggregates) {
    xs += SLOTS[a.op][0];
    vs += SLOTS[a.op][1];
  }
  return { x: Array.from({ length: xs }, (_, i) => partialXField(i)), v: Array.from({ length: vs }, (_, i) => partialVField(i)) };
}

/**
 * The window definition's `combines`: tumbling windows whose aggregates all combine and whose
 * `late` port is not connected (late events must then reach it one by one). The fields a partial
 * row adds beside its key fields, or undefined.
 */
export function combinedFields(c: WindowConfig, isConnected: (port: string) => boolean): readonly string[] | undefined {
  if (c.type !== 'tumbling' || isConnected('late')) return undefined;
  if (!c.aggregates.every((a) => COMBINES.has(a.op))) return undefined;
  const { x, v } = slotFields(c);
  return [PARTIAL_COUNT, ...x, ...v];
}
