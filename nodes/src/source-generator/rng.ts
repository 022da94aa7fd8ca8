/**
 * A small, fast seeded PRNG (mulberry32): one 32-bit state, so a checkpoint can store it and
 * resume the exact sequence. Never Math.random: the same seed must give the same events.
 */
export class Rng {
  constructor(public state: number) {
    this.state = state | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Skip `n` draws in one step (mulberry32's state only adds a constant per draw). */
  skip(n: number): void {
    this.state = (this.state + Math.imul((n % 4294967296) | 0, 0x6d2b79f5)) | 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return (this.next() * n) | 0;
  }

  pick<T>(items: readonly T[]): T {
    return items[(this.next() * items.length) | 0]!;
  }
}

/** FNV-1a of a string: a default seed from a node id, stable across runs and processes. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A version-4-shaped UUID from the generator (for fixed id pools, built once). */
export function uuidFrom(rng: Rng): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += ((rng.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `prefix` + zero-padded numbers, e.g. pool('C', 3, 5) -> C00000, C00001, C00002. */
export function idPool(prefix: string, size: number, width: number, first = 0): string[] {
  return Array.from({ length: size }, (_, i) => `${prefix}${String(first + i).padStart(width, '0')}`);
}
