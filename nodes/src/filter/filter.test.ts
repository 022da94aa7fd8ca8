import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, plain, recordingCollector, testContext } from '../sdk/testing/index.js';
import { filterDefinition } from './definition.js';
import { filterOperator } from './operator.js';

describeGoldenCases('filter', new URL('./cases', import.meta.url));

function filter(expression: string): Operator {
  return filterOperator(testContext({ config: filterDefinition.config.parse({ expression }) })) as Operator;
}

describe('filter', () => {
  it('sends an event whose evaluation fails to the error port with the expression error, and keeps going', () => {
    const col = recordingCollector('f', () => true);
    filter('amount * 2 > 10').process([{ amount: 6 }, { amount: 'oops' }, { amount: 7 }], col, 'in');
    expect(plain(col.outputs.out)).toEqual([{ amount: 6 }, { amount: 7 }]);
    expect(col.counters.errors).toBe(1);
    expect(col.outputs.error![0]).toMatchObject({ amount: 'oops', _error: { node: 'f', code: 'expr-eval' } });
  });

  it('emits the input objects themselves and never touches frozen inputs', () => {
    const col = recordingCollector('f', () => true);
    const input = Object.freeze({ a: 1, nested: Object.freeze({ b: 2 }), [EVENT_TIME]: 5 }) as Event;
    filter('a == 1 && nested.b == 2').process(Object.freeze([input]), col, 'in');
    expect(col.outputs.out![0]).toBe(input);
  });

  it('declares its expression as a predicate and passes its input schema on', () => {
    const c = filterDefinition.config.parse(filterDefinition.example);
    expect(filterDefinition.expressions!(c)).toEqual([{ path: 'config.expression', source: c.expression, role: 'predicate' }]);
    const input = { fields: { amount: 'number' as const }, open: false };
    expect(filterDefinition.inferSchema!(c, { inputs: { in: input } }).out).toEqual(input);
    expect(filterDefinition.outputs(c).map((p) => p.name)).toEqual(['out', 'error']);
    expect(filterDefinition.config.safeParse({ expression: '' }).success).toBe(false);
  });
});
