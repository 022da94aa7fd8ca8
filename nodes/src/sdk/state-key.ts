/**
 * The state key of an event: one string per distinct combination of `keyBy` values, computed
 * once per event. A string value keys as itself (the common case: no allocation); any other
 * value (number, boolean, null, object) is tagged with \u0001 and written as JSON, so `1` and
 * `"1"` are different keys. Several fields are joined with \u0000.
 */
import { type Event, fieldReader } from '@sluice/shared';

export type KeyFn = (e: Event) => string;

const TAG = '\u0001';
/** Starts the state key of a value that is not a plain string (JSON follows). */
export const STATE_KEY_TAG = TAG;
const SEP = '\u0000';

/** Strings that could be mistaken for a tagged value or a separator are tagged too. */
function encode(v: unknown): string {
  if (typeof v === 'string' && v.charCodeAt(0) !== 1 && v.indexOf(SEP) < 0) return v;
  return TAG + (JSON.stringify(v) ?? 'null');
}

export function keyFunction(keyBy: readonly string[]): KeyFn {
  if (keyBy.length === 0) return () => '';
  const readers = keyBy.map(fieldReader);
  if (readers.length === 1) {
    const read = readers[0]!;
    return (e) => {
      const v = read(e);
      // A lone field needs no separator check: only the tag character can collide.
      return typeof v === 'string' && v.charCodeAt(0) !== 1 ? v : TAG + (JSON.stringify(v) ?? 'null');
    };
  }
  const slow = (e: Event): string => {
    let k = encode(readers[0]!(e));
    for (let i = 1; i < readers.length; i++) k += SEP + encode(readers[i]!(e));
    return k;
  };
  return cachedComposite(readers, slow);
}

const CACHE_LIMIT = 100_000;
type Trie = Map<string, Trie | string>;

/**
 * Several string fields: walk a (derived, bounded) trie of the raw values to the key string
 * built before, instead of concatenating and hashing a new string per event. Values that are
 * not strings take the slow path.
 */
function cachedComposite(readers: readonly ((e: Event) => unknown)[], slow: KeyFn): KeyFn {
  const root: Trie = new Map();
  const last = readers.length - 1;
  let size = 0;
  return (e) => {
    let node = root;
    for (let i = 0; i < last; i++) {
      const v = readers[i]!(e);
      if (typeof v !== 'string') return slow(e);
      let next = node.get(v) as Trie | undefined;
      if (next === undefined) node.set(v, (next = new Map()));
      node = next;
    }
    const v = readers[last]!(e);
    if (typeof v !== 'string') return slow(e);
    let k = node.get(v) as string | undefined;
    if (k === undefined) {
      k = slow(e);
      if (++size > CACHE_LIMIT) {
        root.clear();
        size = 0;
      }
      node.set(v, k);
    }
    return k;
  };
}
