/**
 * Which fixed windows hold an event time. Tumbling windows of size S are sliding windows with
 * slide S: `[k*L, k*L + S)` for every integer k (negative too), aligned to the epoch. An event
 * at exactly a window's end belongs to the next window only.
 */

/** Start of the latest window containing `t`: `floor(t / L) * L`, exact for any time. */
export function latestStart(t: number, slide: number): number {
  const r = t % slide;
  return r < 0 ? t - r - slide : t - r;
}

/**
 * Starts of every window containing `t`, latest first (the operator walks the same sequence
 * inline): `ceil(S / L)` or `floor(S / L)` of them, none when `L > S` and `t` falls in a gap.
 */
export function windowStarts(t: number, size: number, slide: number): number[] {
  const starts: number[] = [];
  for (let s = latestStart(t, slide); s > t - size; s -= slide) starts.push(s);
  return starts;
}
