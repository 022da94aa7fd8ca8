/**
 * How source.nats splits (`parallelism`): by subject partition. The stream holds its messages
 * under subjects carrying a partition number, and partition p of N reads only the subjects with
 * p there: `subject: "orders.{partition}.>"` makes partition 1 read `orders.1.>`.
 *
 * The partition number is what NATS's deterministic subject mapping puts there:
 * `partition(N, wildcards...)` hashes the named tokens with FNV-1a (32 bits) and takes it mod N
 * (a stream `subject_transform` on NATS 2.10+, or an account mapping:
 * `orders.* -> orders.{{partition(3,1)}}.{{wildcard(1)}}`). `natsPartitionOf` is that same
 * function, for publishers that put the number in the subject themselves. Pure and browser-safe.
 */

/** In `subject`: replaced by the partition's index when the source is split. */
export const PARTITION_TOKEN = '{partition}';

/** The subject filter partition `index` reads. */
export function partitionSubject(subject: string, index: number): string {
  return subject.replaceAll(PARTITION_TOKEN, String(index));
}

/** Why `subject` cannot name the partitions of a split, or undefined when it can. */
export function splitSubjectProblem(subject: string | undefined): string | undefined {
  const example = `(e.g. "orders.${PARTITION_TOKEN}.>", the partition number a subject mapping partition(N, ...) puts there)`;
  if (subject === undefined || !subject.includes(PARTITION_TOKEN))
    return `with parallelism above 1 its subject must name the partitions with ${PARTITION_TOKEN} ${example}`;
  const tokens = subject.split('.');
  if (tokens.filter((t) => t === PARTITION_TOKEN).length !== 1 || tokens.some((t) => t !== PARTITION_TOKEN && t.includes(PARTITION_TOKEN)))
    return `its subject holds ${PARTITION_TOKEN} once, as a whole token ${example}`;
  return undefined;
}

/**
 * The partition NATS's mapping function `partition(n, ...)` gives the key tokens (the wildcard
 * tokens it names, in order): FNV-1a over their bytes, concatenated, mod n.
 */
export function natsPartitionOf(keyTokens: readonly string[], n: number): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(keyTokens.join(''))) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % n;
}

/** The partition counts a mapping destination names (`orders.{{partition(3,1)}}.{{wildcard(1)}}` gives [3]). */
export function mappedPartitionCounts(dest: string): number[] {
  return [...dest.matchAll(/\{\{\s*partition\s*\(\s*(\d+)/gi)].map((m) => Number(m[1]));
}
