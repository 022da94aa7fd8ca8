/* biome-ignore-all lint/suspicious/noThenProperty: the agreed rules config shape calls a row's outputs `then` */
import { EVENT_TIME, type Event } from '@sluice/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rulesDefinition } from '../rules/definition.js';
import type { SourceBatch, SourceOperator } from './operator.js';
import { testContext } from './testing/index.js';
import { sourceGeneratorDefinition } from '../source-generator/definition.js';
import { sourceGeneratorOperator } from '../source-generator/operator.js';
import { RecordClock } from './source-time.js';

// Every node that reads a time must give the same answer on a server outside UTC.
beforeAll(() => vi.stubEnv('TZ', 'America/New_York'));
afterAll(() => vi.unstubAllEnvs());

// 2026-01-01T10:00:00Z by hand: 20454 days x 86 400 000 ms + 10 x 3 600 000 ms.
const TEN_UTC = 1_767_261_600_000;

describe('event times under TZ=America/New_York', () => {
  it('runs outside UTC', () => {
    expect(new Date(TEN_UTC).getTimezoneOffset()).toBe(300);
  });

  it('a source reads a zone-less timeField as UTC and refuses US-style dates', () => {
    const clock = new RecordClock('ts', 0);
    const good: Record<string | symbol, unknown> = { ts: '2026-01-01T10:00:00' };
    expect(clock.stampRecord(good, 0)).toBeUndefined();
    expect(good[EVENT_TIME]).toBe(TEN_UTC);
    for (const ts of ['1/2/2026', 'January 1, 2026']) {
      expect(clock.stampRecord({ ts }, 0)).toBe(`timeField "ts" is not a time (epoch ms or ISO-8601): ${JSON.stringify(ts)}`);
    }
  });

  it('source.generator starts at a zone-less startTime read as UTC, and refuses other forms', () => {
    const config = sourceGeneratorDefinition.config.parse({ scenario: 'orders', seed: 1, startTime: '2026-01-01T10:00:00' });
    const src = sourceGeneratorOperator(testContext({ config, now: () => 0, nodeId: 'gen' })) as SourceOperator;
    const first = (src.poll(1) as SourceBatch).events[0] as Event;
    expect(first.ts).toBe(TEN_UTC);
    const bad = sourceGeneratorDefinition.config.safeParse({ scenario: 'orders', startTime: 'January 1, 2026' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('startTime is not a time: use epoch milliseconds');
  });

  it('rules rows take zone-less bounds as UTC and refuse US-style dates', () => {
    const table = (effectiveFrom: string) => ({
      inputs: [],
      outputs: [{ id: 'y' }],
      rows: [{ then: { y: 1 }, effectiveFrom }],
      default: { y: 0 },
    });
    expect(rulesDefinition.config.safeParse(table('2026-01-01T10:00:00')).success).toBe(true);
    const bad = rulesDefinition.config.safeParse(table('1/2/2026'));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['rows', 0, 'effectiveFrom']);
    expect(bad.error?.issues[0]?.message).toContain('not a time: use epoch milliseconds');
  });
});
