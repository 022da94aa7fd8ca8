/**
 * Every example runs, and its output is checked: against the same computation written by hand
 * over the same generated events (YSB, pricing with its rules table), or against the rules it applies (fraud, IoT).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TIME, type Event, type PipelineDocument } from '@sluice/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEvents } from '../../bench/bench-util.js';
import { compilePipeline, EmbeddedRunner } from '@sluice/engine';
import { readJsonl } from '@sluice/engine/testing';
import { tempFolders } from '@sluice/nodes/testing';

const tmpExample = tempFolders('sluice-example-');

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

/** Load an example, send its sinks to a temp folder, run it; returns the rows per sink. */
async function runExample(name: string, file = `${name}.json`) {
  const dir = tmpExample(name);
  const raw = JSON.parse(readFileSync(join(EXAMPLES, name, file), 'utf8')) as PipelineDocument;
  for (const n of raw.nodes) if (n.type === 'sink.file') n.config.path = join(dir, `${n.id}.jsonl`);
  const { document, diagnostics } = compilePipeline(raw);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const handle = await new EmbeddedRunner().deploy(document!, { baseDir: join(EXAMPLES, name) });
  const result = await handle.done;
  expect(result.status).toBe('completed');
  const rows = (sink: string) => readJsonl(join(dir, `${sink}.jsonl`));
  return { result, rows, document: document! };
}

function configOf(doc: PipelineDocument, id: string): Record<string, unknown> {
  return doc.nodes.find((n) => n.id === id)!.config;
}

describe('examples', () => {
  it('ysb: views per campaign per 10 s equal a hand-written count over the same events', async () => {
    const { result, rows, document } = await runExample('ysb');
    const gen = configOf(document, 'ad_events');
    const events = await generateEvents('ad-events', gen.count as number, gen.seed as number);
    const campaignOf = new Map(readJsonl(join(EXAMPLES, 'ysb', 'campaigns.jsonl')).map((r) => [r.ad_id, r.campaign_id]));
    const expected = new Map<string, number>();
    for (const e of events as (Event & Record<string, unknown>)[]) {
      if (e.event_type !== 'view') continue;
      const start = Math.floor(e[EVENT_TIME]! / 10_000) * 10_000;
      const k = `${campaignOf.get(e.ad_id)}|${start}`;
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    const got = new Map(rows('counts').map((r) => [`${r.campaign_id}|${r.window_start}`, r.views as number]));
    expect(got.size).toBe(expected.size);
    expect(got).toEqual(expected);
    expect(rows('counts').every((r) => (r.window_end as number) - (r.window_start as number) === 10_000)).toBe(true);
    expect(result.metrics.nodes.campaign!.dropped).toBe(0);
  });

  it('dynamic-pricing: demand per SKU per 5 min, the pricing table (rows, default, dated promotion) and the surge params', async () => {
    const { rows, document } = await runExample('dynamic-pricing');
    const gen = configOf(document, 'orders');
    const orders = (await generateEvents('orders', gen.count as number, gen.seed as number)) as (Event & Record<string, unknown>)[];
    const demand = new Map<string, { category: string; orders: number; sum: number }>();
    for (const o of orders) {
      const k = `${o.sku}|${Math.floor(o[EVENT_TIME]! / 300_000) * 300_000}`;
      const d = demand.get(k) ?? { category: o.category as string, orders: 0, sum: 0 };
      d.orders++;
      d.sum += o.unit_price as number;
      demand.set(k, d);
    }
    // The pricing table, written out by hand: [price change %, 1-based row, 0 = default].
    const promoFrom = Date.parse('2026-01-01T00:05:00Z');
    const table = (category: string, n: number, windowStart: number): [number, number] => {
      if (category === 'electronics' && n > 1000) return [8, 1];
      if (category === 'electronics' && n >= 500 && n <= 1000) return [3, 2];
      if ((category === 'books' || category === 'toys') && n < 400) return [-5, 3];
      if ((category === 'grocery' || category === 'apparel') && n >= 2500) return [4, 4];
      // A window's result is dated at its end - 1 ms: the promotion covers windows from 00:05.
      if (category === 'beauty' && windowStart + 300_000 - 1 >= promoFrom) return [-10, 5];
      return [0, 0];
    };
    const threshold = document.params!.surge_threshold!.value as number;
    const pct = document.params!.surge_pct!.value as number;
    const prices = rows('prices');
    expect(prices).toHaveLength(demand.size);
    expect(new Set(prices.map((p) => `${p.sku}|${p.window_start}`)).size).toBe(demand.size);
    const fired = new Map<number, number>();
    for (const p of prices) {
      const d = demand.get(`${p.sku}|${p.window_start}`)!;
      expect(p.orders).toBe(d.orders);
      expect(p.category).toBe(d.category);
      expect(p.base_price as number).toBeCloseTo(d.sum / d.orders, 6);
      const [adjust, row] = table(d.category, d.orders, p.window_start as number);
      expect([p.adjust_pct, p.pricing_rule], `${p.sku} ${p.window_start}`).toEqual([adjust, row]);
      fired.set(row, (fired.get(row) ?? 0) + 1);
      const surge = d.orders >= threshold;
      expect(p.surge).toBe(surge);
      const factor = (1 + adjust / 100) * (surge ? 1 + pct / 100 : 1);
      expect(p.price).toBeCloseTo(Math.round((p.base_price as number) * factor * 100) / 100, 2);
    }
    // Every row of the table and the default price some SKU.
    expect([...fired.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const surges = rows('surges');
    expect(surges.length).toBe(prices.filter((p) => p.surge).length);
    expect(surges.length).toBeGreaterThan(0);
    expect(surges.length).toBeLessThan(prices.length);
  });

  describe('fraud', () => {
    // The example pseudonymizes card ids with a keyed HMAC (secret FRAUD_CARD_KEY) before its sinks.
    const KEY = 'fraud-example-test-key';
    const VAR = 'SLUICE_SECRET_FRAUD_CARD_KEY';
    const before = process.env[VAR];
    beforeAll(() => {
      process.env[VAR] = KEY;
    });
    afterAll(() => {
      if (before === undefined) delete process.env[VAR];
      else process.env[VAR] = before;
    });

    it('every alert satisfies its rule and each rule fires; card ids reach the sinks only as their keyed HMAC', async () => {
      const { rows, document, result } = await runExample('fraud');
      const p = Object.fromEntries(Object.entries(document.params!).map(([k, v]) => [k, v.value as number]));
      const velocity = rows('velocity_alerts');
      const spend = rows('spend_alerts');
      const large = rows('large_alerts');
      for (const rows_ of [velocity, spend, large]) expect(rows_.length).toBeGreaterThan(0);
      expect(velocity.every((r) => (r.payments as number) > p.max_tx_per_minute!)).toBe(true);
      // Routes are tried in order: a window over both limits is a velocity alert only.
      expect(spend.every((r) => (r.spend as number) > p.max_spend_per_minute! && (r.payments as number) <= p.max_tx_per_minute!)).toBe(
        true,
      );
      expect(large.every((r) => (r.amount as number) > p.single_payment_limit!)).toBe(true);
      expect(velocity.every((r) => (r.window_end as number) - (r.window_start as number) === 60_000)).toBe(true);
      expect(result.metrics.nodes.large!.in).toBe(configOf(document, 'transactions').count);

      // Every alert's card id is the first 16 hex characters of HMAC-SHA256(key, card id), and
      // no original card id reaches a sink.
      const gen = configOf(document, 'transactions');
      const events = (await generateEvents('transactions', gen.count as number, gen.seed as number)) as (Event & Record<string, unknown>)[];
      const cardOfTx = new Map(events.map((e) => [e.tx_id, e.card_id as string]));
      const hmac = (card: string) => createHmac('sha256', KEY).update(card).digest('hex').slice(0, 16);
      const pseudonyms = new Set([...new Set(cardOfTx.values())].map(hmac));
      for (const r of [...velocity, ...spend, ...large]) expect(pseudonyms.has(r.card_id as string)).toBe(true);
      expect(large.every((r) => r.card_id === hmac(cardOfTx.get(r.tx_id)!))).toBe(true);
      // By hand: printf '%s' card-07365 | openssl dgst -sha256 -hmac fraud-example-test-key (tx 334, the first large payment).
      expect(large.find((r) => r.tx_id === 334)?.card_id).toBe('ca6106b16752ff70');
      expect(cardOfTx.get(334)).toBe('card-07365');
    });
  });

  it('iot-maintenance: critical and warning alerts follow the thresholds, in order', async () => {
    const { rows, document } = await runExample('iot-maintenance');
    const vib = document.params!.vibration_limit!.value as number;
    const temp = document.params!.temperature_limit!.value as number;
    const critical = rows('critical_alerts');
    const warnings = rows('warnings');
    expect(critical.length).toBeGreaterThan(0);
    // The generator triples a reading's vibration now and then (1 in 200): those are the spikes.
    const spikes = rows('vibration_spikes');
    expect(spikes.length).toBeGreaterThan(0);
    expect(spikes.every((r) => (r.anomaly_score as number) > 3.5 && (r.vibration as number) > (r.anomaly_expected as number))).toBe(true);
    expect(warnings.length).toBeGreaterThan(0);
    expect(critical.every((r) => (r.max_vibration as number) > vib)).toBe(true);
    expect(warnings.every((r) => (r.avg_temperature as number) > temp && (r.max_vibration as number) <= vib)).toBe(true);
    expect(
      warnings.every((r) => Math.abs(Math.round((r.avg_temperature as number) * 100) - (r.avg_temperature as number) * 100) < 1e-6),
    ).toBe(true);
  });
});
