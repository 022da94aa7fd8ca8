import type { Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, plain, recordingCollector, testContext } from '../sdk/testing/index.js';
import { anomalyDefinition } from './definition.js';
import { anomalyOperator } from './operator.js';
import { ewmaScore, NO_SPREAD_SCORE, pushEwma, robustZ } from './scorers.js';

describeGoldenCases('anomaly', new URL('./cases', import.meta.url));

function operator(config: Record<string, unknown>): Operator {
  return anomalyOperator(testContext({ config: anomalyDefinition.config.parse(config) })) as Operator;
}

function anomalies(op: Operator, values: number[]): Record<string, unknown>[] {
  const col = recordingCollector('a', () => true);
  op.process(Object.freeze(values.map((v, i) => Object.freeze({ i, v }) as Event)), col, 'in');
  return plain(col.outputs.anomaly ?? []) as Record<string, unknown>[];
}

describe('anomaly scorers', () => {
  it('robust z: 0.6745 (x - median) / MAD, by hand', () => {
    // median of [9..13] is 11; deviations [2,1,0,1,2] have median 1.
    expect(robustZ([10, 12, 11, 13, 9], 30).score).toBeCloseTo(0.6745 * 19, 10);
    expect(robustZ([10, 12, 11, 13, 9], 30).expected).toBe(11);
    // An even count takes the mean of the middle two: median 11.5, deviations [1.5,0.5,0.5,1.5] -> MAD 1.
    expect(robustZ([10, 11, 12, 13], 14).score).toBeCloseTo(0.6745 * 2.5, 10);
  });

  it('robust z: MAD 0 falls back to 1.253314 x the mean absolute deviation, and no spread at all to a fixed score', () => {
    expect(robustZ([5, 5, 5, 5, 9], 9).score).toBeCloseTo(4 / (1.253314 * 0.8), 10);
    expect(robustZ([7, 7, 7], 7).score).toBe(0);
    expect(robustZ([7, 7, 7], 8).score).toBe(NO_SPREAD_SCORE);
    expect(robustZ([7, 7, 7], 6).score).toBe(-NO_SPREAD_SCORE);
  });

  it('ewma: the weighted mean and variance update as Finch (2009) gives them', () => {
    let h = pushEwma(undefined, 10, 0.5);
    h = pushEwma(h, 12, 0.5);
    expect(h).toEqual({ mean: 11, variance: 1, n: 2 });
    h = pushEwma(h, 10, 0.5);
    expect(h).toEqual({ mean: 10.5, variance: 0.75, n: 3 });
    expect(ewmaScore(h, 20).score).toBeCloseTo(9.5 / Math.sqrt(0.75), 10);
  });
});

describe('anomaly operator', () => {
  const history = [10, 12, 11, 13, 9];

  it('flags only the side `direction` asks for', () => {
    const base = { field: 'v', history: 5, minHistory: 5, threshold: 3.5 };
    expect(anomalies(operator({ ...base, direction: 'high' }), [...history, 0]).map((e) => e.v)).toEqual([]);
    expect(anomalies(operator({ ...base, direction: 'low' }), [...history, 0]).map((e) => e.v)).toEqual([0]);
    expect(anomalies(operator({ ...base, direction: 'low' }), [...history, 30]).map((e) => e.v)).toEqual([]);
  });

  it('scores nothing until a key has minHistory values', () => {
    expect(anomalies(operator({ field: 'v', history: 5, minHistory: 5 }), [10, 12, 11, 13, 1000])).toEqual([]);
  });

  it('keeps its history in declared state, so a restored operator scores as the first would have', () => {
    const registry = testContext({ config: anomalyDefinition.config.parse({ field: 'v', history: 5, minHistory: 5 }) });
    const first = anomalyOperator(registry) as Operator;
    anomalies(first, history);
    const again = anomalyOperator({ ...registry }) as Operator; // same state registry: what a restore hands over
    expect(anomalies(again, [30]).map((e) => e.anomaly_score)).toEqual([12.8155]);
  });

  it('never changes its (frozen) input: the anomaly port gets a new object', () => {
    const col = recordingCollector('a', () => true);
    const op = operator({ field: 'v', history: 5, minHistory: 5 });
    const input = [...history, 30].map((v) => Object.freeze({ v }) as Event);
    op.process(Object.freeze(input), col, 'in');
    expect(col.outputs.out).toEqual(input);
    expect(col.outputs.anomaly?.[0]).not.toBe(input[5]);
  });
});

describe('anomaly config', () => {
  it('refuses a minHistory that the kept history can never reach, and a score field named twice', () => {
    const problems = anomalyDefinition.check!(
      anomalyDefinition.config.parse({ field: 'v', history: 5, minHistory: 6, scoreField: 's', expectedField: 's' }),
    );
    expect(problems.map((p) => p.path)).toEqual(['config.minHistory', 'config.expectedField']);
  });

  it('adds the score and expected fields to the anomaly port schema only', () => {
    const cfg = anomalyDefinition.config.parse({ field: 'v' });
    const s = anomalyDefinition.inferSchema!(cfg, { inputs: { in: { fields: { v: 'number' }, open: false } } });
    expect(s.out).toEqual({ fields: { v: 'number' }, open: false });
    expect(s.anomaly).toEqual({ fields: { v: 'number', anomaly_score: 'number', anomaly_expected: 'number' }, open: false });
  });
});
