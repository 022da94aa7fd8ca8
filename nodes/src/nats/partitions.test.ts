import { describe, expect, it } from 'vitest';
import { sourceNatsDefinition } from './source/definition.js';
import { mappedPartitionCounts, natsPartitionOf, partitionSubject, splitSubjectProblem } from './partitions.js';

describe('source.nats subject partitions', () => {
  it('gives partition p the subject filter with p in place of {partition}', () => {
    expect(partitionSubject('orders.{partition}.>', 0)).toBe('orders.0.>');
    expect(partitionSubject('orders.{partition}.>', 2)).toBe('orders.2.>');
    expect(partitionSubject('sensors.*.{partition}', 11)).toBe('sensors.*.11');
    expect(partitionSubject('orders.>', 3)).toBe('orders.>');
  });

  it('hashes key tokens as NATS partition(n, ...) does: FNV-1a 32 over the tokens joined, mod n', () => {
    // FNV-1a 32 test vectors: "" 0x811c9dc5, "a" 0xe40c292c, "foobar" 0xbf9cf968.
    expect(natsPartitionOf([''], 1_000_000_007)).toBe(0x811c9dc5 % 1_000_000_007);
    expect(natsPartitionOf(['a'], 2 ** 32 - 1)).toBe(0xe40c292c);
    expect(natsPartitionOf(['foo', 'bar'], 2 ** 32 - 1)).toBe(0xbf9cf968);
    expect(natsPartitionOf(['foobar'], 3)).toBe(0xbf9cf968 % 3); // 1
    expect(natsPartitionOf(['eu-7'], 3)).toBe(0);
    // Every key lands in [0, n).
    for (let k = 0; k < 200; k++) expect(natsPartitionOf([`k${k}`], 4)).toBeLessThan(4);
  });

  it('reads the partition counts of a mapping destination', () => {
    expect(mappedPartitionCounts('orders.{{partition(3,1)}}.{{wildcard(1)}}')).toEqual([3]);
    expect(mappedPartitionCounts('o.{{ Partition( 12 , 1, 2 ) }}.>')).toEqual([12]);
    expect(mappedPartitionCounts('orders.{{wildcard(1)}}')).toEqual([]);
  });

  it('refuses a split without {partition} as a whole token, and core mode, saying why', () => {
    expect(splitSubjectProblem('orders.{partition}.>')).toBeUndefined();
    expect(splitSubjectProblem(undefined)).toMatch(/^with parallelism above 1 its subject must name the partitions with \{partition\}/);
    expect(splitSubjectProblem('orders.>')).toMatch(/must name the partitions/);
    expect(splitSubjectProblem('orders.p{partition}.>')).toMatch(/^its subject holds \{partition\} once, as a whole token/);
    expect(splitSubjectProblem('{partition}.{partition}')).toMatch(/once, as a whole token/);
    const check = sourceNatsDefinition.split!.check!;
    const parse = (c: Record<string, unknown>) => sourceNatsDefinition.config.parse({ url: 'nats://n:4222', ...c });
    expect(check(parse({ stream: 'ORDERS', subject: 'orders.{partition}.>' }), 3)).toBeUndefined();
    expect(check(parse({ mode: 'core', subjects: ['orders.>'] }), 3)).toMatch(/^mode core does not split/);
  });
});
