/** A split generator (`parallelism` N): its partitions together give exactly the unsplit generator's events. */
import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { SourceBatch, SourceOperator } from '../sdk/operator.js';
import { testContext } from '../sdk/testing/index.js';
import { SCENARIOS, sourceGeneratorDefinition } from './definition.js';
import { SPLIT_BLOCK, sourceGeneratorOperator } from './operator.js';

function generator(config: Record<string, unknown>, index = 0, of = 1): SourceOperator {
  const parsed = sourceGeneratorDefinition.config.parse(config);
  const ctx = testContext({ config: parsed, now: () => 42, nodeId: 'gen' });
  ctx.partition = { index, of };
  return sourceGeneratorOperator(ctx) as SourceOperator;
}

/** Every event of a bounded source, polled `max` at a time, with the watermark after each batch. */
function drain(src: SourceOperator, max: number): { events: Event[]; watermarks: number[] } {
  const events: Event[] = [];
  const watermarks: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const b = src.poll(max) as SourceBatch;
    events.push(...b.events);
    watermarks.push(b.watermark);
    if (b.done) return { events, watermarks };
  }
  throw new Error('the generator did not end');
}

const plain = (events: readonly Event[]) => events.map((e) => JSON.stringify(e));
const byTime = (a: Event, b: Event) => (a[EVENT_TIME] as number) - (b[EVENT_TIME] as number);

describe('source.generator split by parallelism', () => {
  it('gives, over 4 partitions, exactly the events of one (every scenario, a count that ends mid-block)', () => {
    const count = 5 * SPLIT_BLOCK + 300; // 5,420: blocks 0..5, the last one partial
    for (const scenario of SCENARIOS) {
      const whole = drain(generator({ scenario, seed: 3, count }), 700).events;
      expect(whole, scenario).toHaveLength(count);
      const parts = [0, 1, 2, 3].map((i) => drain(generator({ scenario, seed: 3, count }, i, 4), 700).events);
      // Blocks 0 and 4 to partition 0, 1 and 5 (300 events) to 1, 2 to 2, 3 to 3.
      expect(
        parts.map((p) => p.length),
        scenario,
      ).toEqual([2 * SPLIT_BLOCK, SPLIT_BLOCK + 300, SPLIT_BLOCK, SPLIT_BLOCK]);
      expect(plain(parts.flat().sort(byTime)), scenario).toEqual(plain(whole));
    }
  });

  it('keeps each partition in time order, its watermark the time of its last event', () => {
    const { events, watermarks } = drain(generator({ scenario: 'orders', seed: 1, count: 4 * SPLIT_BLOCK }, 1, 2), 500);
    const times = events.map((e) => e[EVENT_TIME] as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Partition 1 of 2 owns blocks 1 and 3: its last event is number 4,095, at start + 4,095 ms.
    expect(watermarks.at(-1)).toBe(Date.parse('2026-01-01T00:00:00Z') + 4 * SPLIT_BLOCK - 1);
  });

  it('resumes a partition from its position exactly', () => {
    const config = { scenario: 'transactions', seed: 9, count: 3 * SPLIT_BLOCK };
    const a = generator(config, 2, 3);
    const first = (a.poll(600) as SourceBatch).events;
    const b = generator(config, 2, 3);
    b.seek!(a.position!());
    const rest = drain(b, 1000).events;
    const whole = drain(generator(config, 2, 3), 5000).events;
    expect(plain([...first, ...rest])).toEqual(plain(whole));
    expect(whole).toHaveLength(SPLIT_BLOCK);
  });

  it('declares how it splits', () => {
    expect(sourceGeneratorDefinition.split?.how).toMatch(/block/);
  });
});
