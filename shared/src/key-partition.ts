/**
 * Which of N streams a keyed record goes to: the one function HTTP ingest uses to spread a
 * `source.http` node's records over its partitions' streams, and the one producers use to write
 * into `source.redis-stream`'s `{partition}` streams by key (docs/source-partitions.md).
 *
 *   partition = fnv1a32(utf8(keyText)) mod N
 *
 * FNV-1a, 32 bits: start at 2166136261 (0x811c9dc5); for each byte of the key's UTF-8 encoding,
 * xor it in, then multiply by 16777619 (0x01000193) modulo 2^32; the result read as an unsigned
 * integer. Simple enough to write in any producer's language, and stable: it never changes, so
 * a partition's records stay in its stream across restarts and versions.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32 bits, unsigned) over the UTF-8 bytes of `s`. */
export function fnv1a32Utf8(s: string): number {
  let h = FNV_OFFSET;
  const byte = (b: number) => {
    h ^= b;
    h = Math.imul(h, FNV_PRIME);
  };
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      byte(c);
      continue;
    }
    if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 0x3f));
      continue;
    }
    // A surrogate pair is one code point (4 bytes); a lone surrogate is encoded as U+FFFD, as
    // TextEncoder and most producers' encoders do.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        byte(0xf0 | (c >> 18));
        byte(0x80 | ((c >> 12) & 0x3f));
        byte(0x80 | ((c >> 6) & 0x3f));
        byte(0x80 | (c & 0x3f));
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    byte(0xe0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3f));
    byte(0x80 | (c & 0x3f));
  }
  return h >>> 0;
}

/** The partition, 0 to `partitions - 1`, of a key's text. */
export function keyPartition(keyText: string, partitions: number): number {
  return partitions <= 1 ? 0 : fnv1a32Utf8(keyText) % partitions;
}

/**
 * A field value's key text: a string as it is, a finite number as JavaScript writes it (42,
 * 1.5, 1e+21), true/false. Anything else (missing, null, an object, a list) has none: such a
 * record cannot be placed by key.
 */
export function keyText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}
