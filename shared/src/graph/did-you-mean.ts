/** "Did you mean": the known name closest to a misspelt one, when it is close enough to be the intent. */

/** The closest of `known` to `name`, or undefined when none is plausibly what was meant. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  // One known name that starts with it: a dropped suffix (`maxOutOfOrder`, `allowedLate`).
  const extended = lower.length >= 3 ? known.filter((k) => k.toLowerCase().startsWith(lower)) : [];
  if (extended.length === 1) return extended[0];
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (!best || d < best.d) best = { name: k, d };
  }
  // Up to a third of the longer name may differ: typos and small slips, not another word.
  return best && best.d <= Math.max(1, Math.floor(Math.max(name.length, best.name.length) / 3)) ? best.name : undefined;
}

/** Edit distance counting a swap of two neighbours as one edit (`feild` -> `field`). */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
