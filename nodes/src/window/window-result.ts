/**
 * A window's result event (fixed-windows.ts, session-windows.ts): its keys, `window_start`,
 * `window_end` and aggregates (written by the caller, in that order), stamped with event time
 * `window_end - 1` (as Flink: windows chain) and the latest ingest time the window had taken
 * when it fired. It is emitted, or sent to the `error` port (overflowError) when an aggregate
 * could not be written: never a silent null.
 */
import { EVENT_TIME, type Event, INGEST_TIME } from '@sluice/shared';
import { WindowEventError } from './window-errors.js';

export type ResultRow = Record<string | symbol, unknown>;

/** Stamps result `o` of a window ending at `end` whose latest ingest time is `ingest` (0: none). */
export function stampResult(o: ResultRow, end: number, ingest: number): Event {
  o[EVENT_TIME] = end - 1;
  if (ingest > 0) o[INGEST_TIME] = ingest;
  return o as Event;
}

/** The error of a result whose aggregate could not be written (`problem` from Aggregates.write). */
export function overflowError(
  start: number,
  end: number,
  keyNames: readonly string[],
  k: readonly unknown[],
  problem: string,
): WindowEventError {
  return new WindowEventError(`window [${start}, ${end}) of ${describeKey(keyNames, k)}: ${problem} (written as null)`, 'window-overflow');
}

/** `sku="a", user.country="FR"`, or `the global window` without keyBy. */
function describeKey(keyNames: readonly string[], k: readonly unknown[]): string {
  if (keyNames.length === 0) return 'the global window';
  return keyNames.map((name, i) => `${name}=${JSON.stringify(k[i] ?? null)}`).join(', ');
}
