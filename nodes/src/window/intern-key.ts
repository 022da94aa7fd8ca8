/**
 * The key a window interns (key-slots.ts, window-columns.ts): a finite number stays a number, so
 * a numeric key costs no string per event; anything else is its state key (sdk/state-key.ts).
 */
import type { Event, FieldReader } from '@sluice/shared';
import { type KeyFn, STATE_KEY_TAG } from '../sdk/state-key.js';

/** The interning key: a finite number as it is, anything else as its state key string. */
export type InternKey = string | number;

/**
 * An event's key for interning (`readers`: the keyBy fields; `key`: their state key function):
 * a finite number as it is, else its state key (sdk/state-key.ts).
 */
export function internKeyOfEvent(e: Event, readers: readonly FieldReader[], key: KeyFn): InternKey {
  if (readers.length !== 1) return key(e);
  const v = readers[0]!(e);
  if (typeof v === 'number' && v - v === 0) return v;
  return typeof v === 'string' && v.charCodeAt(0) !== 1 ? v : STATE_KEY_TAG + (JSON.stringify(v) ?? 'null');
}

/** The state key a snapshot names a slot by (sdk/state-key.ts's encoding). */
export function stateKeyOf(ik: InternKey): string {
  return typeof ik === 'number' ? STATE_KEY_TAG + JSON.stringify(ik) : ik;
}

/** The interning key of a state key read from a snapshot (inverse of stateKeyOf). */
export function internKeyOf(key: string, oneField: boolean): InternKey {
  if (!oneField || key.charCodeAt(0) !== 1) return key;
  const rest = key.slice(1);
  if (!/^-?[0-9]/.test(rest)) return key;
  const n = Number(rest);
  return n - n === 0 && STATE_KEY_TAG + JSON.stringify(n) === key ? n : key;
}
