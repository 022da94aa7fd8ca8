import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { SourceBatch, SourceOperator } from '../sdk/operator.js';
import { testContext } from '../sdk/testing/index.js';
import { SCENARIO_FIELDS, SCENARIOS, sourceGeneratorDefinition } from './definition.js';
import { sourceGeneratorOperator } from './operator.js';
import { ysbCampaigns, ysbCampaignsJsonl } from './ysb.js';

const JAN_1_2026 = Date.parse('2026-01-01T00:00:00Z');

function generator(config: Record<string, unknown>, o: { now?: () => number; nodeId?: string } = {}): SourceOperator {
  const parsed = sourceGeneratorDefinition.config.parse(config);
  return sourceGeneratorOperator(testContext({ config: parsed, now: o.now ?? (() => 42), nodeId: o.nodeId ?? 'gen' })) as SourceOperator;
}

const poll = (src: SourceOperator, max: number) => src.poll(max) as SourceBatch;
const plain = (events: readonly Event[]) => events.map((e) => JSON.parse(JSON.stringify(e)));

describe('source.generator', () => {
  it('gives the same events for the same seed and different ones for another seed', () => {
    for (const scenario of SCENARIOS) {
      const a = plain(poll(generator({ scenario, seed: 7 }), 500).events);
      const b = plain(poll(generator({ scenario, seed: 7 }), 500).events);
      const c = plain(poll(generator({ scenario, seed: 8 }), 500).events);
      expect(a, scenario).toEqual(b);
      expect(a, scenario).not.toEqual(c);
    }
  });

  it('derives the default seed from the node id: reproducible, and two generators differ', () => {
    const a = plain(poll(generator({ scenario: 'orders' }, { nodeId: 'x' }), 50).events);
    expect(plain(poll(generator({ scenario: 'orders' }, { nodeId: 'x' }), 50).events)).toEqual(a);
    expect(plain(poll(generator({ scenario: 'orders' }, { nodeId: 'y' }), 50).events)).not.toEqual(a);
  });

  it('stops after count events', () => {
    const src = generator({ scenario: 'sensors', count: 2500 });
    const sizes: number[] = [];
    const done: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const b = poll(src, 1000);
      sizes.push(b.events.length);
      done.push(b.done);
    }
    expect(sizes).toEqual([1000, 1000, 500, 0]);
    expect(done).toEqual([false, false, true, true]);
    expect(sourceGeneratorDefinition.bounded!(sourceGeneratorDefinition.config.parse({ scenario: 'orders', count: 1 }))).toBe(true);
    expect(sourceGeneratorDefinition.bounded!(sourceGeneratorDefinition.config.parse({ scenario: 'orders' }))).toBe(false);
  });

  it('has exactly the documented fields, with their types, in every scenario', () => {
    for (const scenario of SCENARIOS) {
      const fields = SCENARIO_FIELDS[scenario];
      for (const e of poll(generator({ scenario, seed: 3 }), 300).events) {
        expect(Object.keys(e), scenario).toEqual(Object.keys(fields));
        for (const [name, type] of Object.entries(fields)) expect(typeof e[name], `${scenario}.${name}`).toBe(type);
      }
      const schema = sourceGeneratorDefinition.inferSchema!(sourceGeneratorDefinition.config.parse({ scenario }), { inputs: {} });
      expect(schema.out).toEqual({ fields, open: false });
    }
  });

  it('produces plausible values', () => {
    const ads = poll(generator({ scenario: 'ad-events', seed: 1 }), 3000).events;
    expect(new Set(ads.map((e) => e.event_type))).toEqual(new Set(['view', 'click', 'purchase']));
    const tx = poll(generator({ scenario: 'transactions', seed: 1 }), 3000).events;
    expect(tx.every((e) => (e.amount as number) >= 0.5 && (e.amount as number) <= 5000)).toBe(true);
    const orders = poll(generator({ scenario: 'orders', seed: 1 }), 3000).events;
    expect(orders.every((e) => Number.isInteger(e.quantity) && (e.quantity as number) >= 1 && (e.quantity as number) <= 5)).toBe(true);
    expect(orders.map((e) => e.order_id).slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('advances event time from startTime by 1000/rate ms per event (1 ms when unpaced), in order', () => {
    let t = 0;
    const paced = generator({ scenario: 'orders', rate: 4, seed: 1 }, { now: () => t });
    poll(paced, 10);
    t = 1000;
    const b = poll(paced, 10);
    expect(b.events.map((e) => e.ts)).toEqual([JAN_1_2026, JAN_1_2026 + 250, JAN_1_2026 + 500, JAN_1_2026 + 750]);
    expect(b.events.map((e) => e[EVENT_TIME])).toEqual(b.events.map((e) => e.ts));
    expect(b.events.every((e) => e[INGEST_TIME] === 1000 && e[SOURCE_WATERMARK] === undefined)).toBe(true);
    expect(b.watermark).toBe(JAN_1_2026 + 750);

    const unpaced = generator({ scenario: 'ad-events', startTime: 5000, maxOutOfOrderness: '2s', seed: 1 });
    expect(poll(unpaced, 0)).toEqual({ events: [], watermark: Number.NEGATIVE_INFINITY, done: false, shallow: true, owned: true });
    const u = poll(unpaced, 3);
    expect(u.events.map((e) => e.event_time)).toEqual([5000, 5001, 5002]);
    expect(u.watermark).toBe(3002);
    const iso = poll(generator({ scenario: 'sensors', startTime: '2026-03-01T12:00:00Z', rate: 3 }, { now: () => 0 }), 5);
    expect(iso.events).toEqual([]);
  });

  it('emits no more than the rate allows (token bucket, injected clock)', () => {
    let t = 10_000;
    const src = generator({ scenario: 'transactions', rate: 50, seed: 1 }, { now: () => t });
    const counts: number[] = [];
    for (const [at, max] of [
      [10_000, 1000],
      [10_100, 1000],
      [10_130, 1000],
      [10_140, 1000],
      [11_140, 20],
      [11_140, 1000],
    ] as const) {
      t = at;
      counts.push(poll(src, max).events.length);
    }
    // 0 at start; 100 ms -> 5; 30 ms -> 1 (0.5 left); 10 ms -> 1; 1 s -> 50 capped by max 20; then the other 30.
    expect(counts).toEqual([0, 5, 1, 1, 20, 30]);
  });

  it('resumes from position() with the same events', () => {
    const whole = plain(poll(generator({ scenario: 'transactions', seed: 9 }), 20).events);
    const first = generator({ scenario: 'transactions', seed: 9 });
    poll(first, 8);
    const pos = JSON.parse(JSON.stringify(first.position!()));
    const second = generator({ scenario: 'transactions', seed: 9 });
    second.seek!(pos);
    const rest = poll(second, 12);
    expect(plain(rest.events)).toEqual(whole.slice(8));
    expect(rest.watermark).toBe(JAN_1_2026 + 19);
  });
});

describe('ysbCampaigns', () => {
  it('is a fixed table of 100 campaigns x 10 ads covering every ad of the ad-events scenario', () => {
    const rows = ysbCampaigns();
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.ad_id)).size).toBe(1000);
    const perCampaign = new Map<string, number>();
    for (const r of rows) perCampaign.set(r.campaign_id, (perCampaign.get(r.campaign_id) ?? 0) + 1);
    expect(perCampaign.size).toBe(100);
    expect([...perCampaign.values()].every((n) => n === 10)).toBe(true);
    expect(rows[0]!.ad_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ysbCampaigns(123)).toEqual(rows);
    const adIds = new Set(rows.map((r) => r.ad_id));
    for (const seed of [1, 42])
      expect(poll(generator({ scenario: 'ad-events', seed }), 2000).events.every((e) => adIds.has(e.ad_id as string))).toBe(true);
    expect(
      ysbCampaignsJsonl()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(rows);
  });
});
