import { type Event, EVENT_TIME } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, recordingCollector, testContext } from '../sdk/testing/index.js';
import { branchDefinition } from './definition.js';
import { branchOperator } from './operator.js';

describeGoldenCases('branch', new URL('./cases', import.meta.url));

const parse = (config: unknown) => branchDefinition.config.parse(config);

describe('branch', () => {
  it('emits the (frozen) input objects themselves, and evaluation errors go to error', () => {
    const op = branchOperator(testContext({ config: parse({ routes: [{ port: 'big', expression: 'n * 2 > 10' }] }) })) as Operator;
    const col = recordingCollector('b', () => true);
    const a = Object.freeze({ n: 6, [EVENT_TIME]: 1 }) as Event;
    const bad = Object.freeze({ n: 'x' });
    op.process(Object.freeze([a, bad]), col, 'in');
    expect(col.outputs.big![0]).toBe(a);
    expect(col.outputs.error![0]).toMatchObject({ n: 'x', _error: { node: 'b', code: 'expr-eval' } });
  });

  it('has one port per route in order, then else and error', () => {
    const c = parse(branchDefinition.example);
    expect(branchDefinition.outputs(c).map((p) => p.name)).toEqual(['critical', 'warning', 'else', 'error']);
    expect(branchDefinition.expressions!(c).map((x) => x.path)).toEqual(['config.routes[0].expression', 'config.routes[1].expression']);
    const input = { fields: { temperature: 'number' as const }, open: false };
    const schemas = branchDefinition.inferSchema!(c, { inputs: { in: input } });
    expect([schemas.critical, schemas.warning, schemas.else]).toEqual([input, input, input]);
  });

  it('validates port names: pattern, unique, not else or error', () => {
    expect(branchDefinition.config.safeParse({ routes: [{ port: 'Big', expression: 'true' }] }).success).toBe(false);
    expect(branchDefinition.config.safeParse({ routes: [{ port: '1a', expression: 'true' }] }).success).toBe(false);
    const c = parse({
      routes: [
        { port: 'a', expression: 'true' },
        { port: 'a', expression: 'true' },
        { port: 'else', expression: 'true' },
        { port: 'error', expression: 'true' },
      ],
    });
    expect(branchDefinition.check!(c).map((p) => p.path)).toEqual([
      'config.routes[1].port',
      'config.routes[2].port',
      'config.routes[3].port',
    ]);
  });
});
