/**
 * The key hash producers re-implement (docs/source-partitions.md): FNV-1a 32 over UTF-8. The
 * expected values were computed outside Sluice (a few lines of Python over `s.encode('utf-8')`;
 * "", "a" and "foobar" are FNV's published test vectors), so a change to the function fails here.
 */
import { describe, expect, it } from 'vitest';
import { fnv1a32Utf8, keyPartition, keyText } from './key-partition.js';

const TABLE: [key: string, hash: number, mod2: number, mod3: number, mod4: number][] = [
  ['', 0x811c9dc5, 1, 1, 1],
  ['a', 0xe40c292c, 0, 1, 0],
  ['foobar', 0xbf9cf968, 0, 1, 0],
  ['user-1', 0xf5537974, 0, 1, 0],
  ['user-2', 0xf8537e2d, 1, 1, 1],
  ['user-3', 0xf7537c9a, 0, 2, 2],
  ['42', 0x87e38583, 1, 2, 3],
  ['1.5', 0xe8421739, 1, 0, 1],
  ['true', 0x4db211e5, 1, 0, 1],
  ['é', 0x1e9de8c1, 1, 0, 1], // 2 UTF-8 bytes
  ['日本', 0x9f26ee51, 1, 0, 1], // 3 bytes each
  ['😀', 0x33a29608, 0, 2, 0], // a surrogate pair: one 4-byte code point
];

describe('keyPartition: FNV-1a 32 over UTF-8, mod N', () => {
  it.each(TABLE)('%j hashes to %i and falls in partitions %i of 2, %i of 3, %i of 4', (key, hash, m2, m3, m4) => {
    expect(fnv1a32Utf8(key)).toBe(hash);
    expect([keyPartition(key, 2), keyPartition(key, 3), keyPartition(key, 4)]).toEqual([m2, m3, m4]);
    expect(keyPartition(key, 1)).toBe(0);
  });

  it('encodes a lone surrogate as U+FFFD, as UTF-8 encoders do', () => {
    expect(fnv1a32Utf8('\ud800')).toBe(fnv1a32Utf8('\ufffd'));
    expect(fnv1a32Utf8('x\udc00y')).toBe(fnv1a32Utf8('x\ufffdy'));
  });

  it('reads key text from strings, finite numbers and booleans only', () => {
    expect([keyText('user-1'), keyText(42), keyText(1.5), keyText(true), keyText(false)]).toEqual(['user-1', '42', '1.5', 'true', 'false']);
    for (const none of [undefined, null, {}, [], Number.NaN, Number.POSITIVE_INFINITY]) expect(keyText(none)).toBeUndefined();
  });
});
