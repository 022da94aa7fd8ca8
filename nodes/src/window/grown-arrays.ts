/** Growing typed arrays of the columns (window-columns.ts, window-lists.ts) by copy. */

/** Doubles while small (fewer copies), then grows by half (less slack at millions of keys). */
export function grownSize(n: number): number {
  return n < 1 << 20 ? n * 2 : Math.ceil(n * 1.5);
}

export function grownF64(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

export function grownI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

export function grownU8(a: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(size);
  b.set(a);
  return b;
}
