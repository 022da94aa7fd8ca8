/** Which two versions the history page compares: ticking a third drops the oldest tick. */

export function toggleCompare(selected: number[], version: number): number[] {
  if (selected.includes(version)) return selected.filter((v) => v !== version);
  return [...selected, version].slice(-2);
}

/** The pair to diff, older first, once two are ticked. */
export function comparePair(selected: number[]): [number, number] | undefined {
  if (selected.length !== 2) return undefined;
  const [a, b] = selected as [number, number];
  return a < b ? [a, b] : [b, a];
}
