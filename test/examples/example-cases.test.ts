/**
 * The examples' shipped test cases expect what the graphs mean, computed by hand here from each
 * case's input (so an `--update` after a semantic regression cannot slip through: `sluice test`
 * would pass, this would not). engine/src/cli/test-command.test.ts runs the cases themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const T0 = Date.UTC(2026, 0, 1); // 2026-01-01T00:00:00Z, where every case's events start
const S = 1000;
const M = 60 * S;

function expected(file: string): Record<string, unknown>[] {
  return readFileSync(join(EXAMPLES, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}
const pick = (rows: Record<string, unknown>[], ...fields: string[]) => rows.map((r) => fields.map((f) => r[f]));

describe('example test cases expect hand-computed outputs', () => {
  it('dynamic pricing: 3 orders in 5 min surge (+10 %) at threshold 3; books -5 %; beauty -10 % from 00:05', () => {
    const dir = 'dynamic-pricing/dynamic-pricing.tests/surge-and-slow-sellers/expected';
    expect(pick(expected(`${dir}/prices.jsonl`), 'sku', 'window_start', 'orders', 'units', 'adjust_pct', 'surge', 'price')).toEqual([
      ['SKU-10001', T0, 3, 1 + 2 + 1, 0, true, 110], // 100 x 1.10
      ['SKU-10002', T0, 1, 2, -5, false, 9.5], // 10 x 0.95
      ['SKU-10001', T0 + 5 * M, 1, 4, 0, false, 100],
      ['SKU-10003', T0 + 5 * M, 1, 1, -10, false, 18], // 20 x 0.90, the promotion's row
    ]);
    expect(pick(expected(`${dir}/surges.jsonl`), 'sku', 'window_start', 'price')).toEqual([['SKU-10001', T0, 110]]);
  });

  it('dynamic pricing: the order recorded behind a 00:06 watermark is dropped from the 00:00 window', () => {
    const rows = expected('dynamic-pricing/dynamic-pricing.tests/late-order-dropped/expected/prices.jsonl');
    expect(pick(rows, 'window_start', 'orders', 'units', 'price')).toEqual([
      [T0, 1, 1, 19], // the 00:01 order only; toys -5 %: 20 x 0.95
      [T0 + 5 * M, 1, 3, 19],
    ]);
  });

  it('fraud: 1 min windows sliding by 10 s; velocity above 2 payments, spend above 5000, one payment above 4000', () => {
    const dir = 'fraud/fraud.tests/velocity-spend-large/expected';
    // Card ids leave pseudonymized: HMAC-SHA256 under the case's stand-in key, 16 hex digits
    // (`printf card-00001 | openssl dgst -sha256 -hmac case-key-not-a-real-secret`).
    const card = { 1: 'fb1851b44658ab76', 2: 'f4d5a938dd0e136c', 3: '5839af9389a00484' };
    // card-00001 pays at 5, 15, 25 s: windows starting at -30, -20, -10 and 0 s hold all three.
    expect(pick(expected(`${dir}/velocity_alerts.jsonl`), 'card_id', 'window_start', 'payments', 'spend')).toEqual(
      [-30, -20, -10, 0].map((s) => [card[1], T0 + s * S, 3, 60]),
    );
    // card-00003 pays 3000 at 60 s and 2500 at 90 s: windows starting at 40, 50, 60 s hold both.
    expect(pick(expected(`${dir}/spend_alerts.jsonl`), 'card_id', 'window_start', 'payments', 'spend')).toEqual(
      [40, 50, 60].map((s) => [card[3], T0 + s * S, 2, 5500]),
    );
    expect(pick(expected(`${dir}/large_alerts.jsonl`), 'tx_id', 'card_id', 'amount')).toEqual([[4, card[2], 4500]]);
  });

  it("iot: a reading far off its own device's last readings is a spike (robust z-score, hand-computed)", () => {
    const dir = 'iot-maintenance/iot-maintenance.tests/vibration-spike/expected';
    // Ten readings before it: median 1.0; absolute deviations 0 x5, 0.1 x4, 0.2 -> median 0.05.
    // 0.6745 x (3.1 - 1.0) / 0.05 = 28.329.
    expect(pick(expected(`${dir}/vibration_spikes.jsonl`), 'device_id', 'vibration', 'anomaly_score', 'anomaly_expected')).toEqual([
      ['sensor-004', 3.1, 28.329, 1],
    ]);
  });

  it('iot: 1 min windows sliding by 30 s; critical (vibration above 9) wins over warning (average above 62 °C)', () => {
    const dir = 'iot-maintenance/iot-maintenance.tests/vibration-and-heat/expected';
    // Readings at 10-22 s fall in the windows starting at -30 s and 0 s.
    expect(
      pick(expected(`${dir}/critical_alerts.jsonl`), 'device_id', 'window_start', 'readings', 'avg_temperature', 'max_vibration'),
    ).toEqual([
      ['sensor-001', T0 - 30 * S, 2, 63, 12], // (60 + 66) / 2
      ['sensor-001', T0, 2, 63, 12],
    ]);
    expect(pick(expected(`${dir}/warnings.jsonl`), 'device_id', 'window_start', 'avg_temperature')).toEqual([
      ['sensor-002', T0 - 30 * S, 64], // (64.5 + 63.5) / 2
      ['sensor-002', T0, 64],
    ]);
  });

  it('ysb: views (not clicks) per campaign per 10 s; an ad missing from campaigns.jsonl is dropped', () => {
    const rows = expected('ysb/ysb.tests/views-per-campaign/expected/counts.jsonl');
    expect(pick(rows, 'campaign_id', 'window_start', 'views')).toEqual([
      ['42d7dd56-f5ae-4460-830d-a89a151ed9c1', T0, 3], // two of its ads: at 1, 2 and 9.999 s
      ['7dd4dc21-7e0d-4887-a472-fb1147999267', T0, 1], // at 4 s
      ['7dd4dc21-7e0d-4887-a472-fb1147999267', T0 + 10 * S, 1], // at 10 s: the next window
    ]);
  });
});
