import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { describeGoldenCases, plain, recordingCollector, SourceStamper, testContext } from '../sdk/testing/index.js';
import { windowDefinition } from './definition.js';
import { windowOperator } from './operator.js';

describeGoldenCases('window', new URL('./cases', import.meta.url));

const config = windowDefinition.config.parse({
  type: 'sliding',
  size: '10s',
  slide: '5s',
  keyBy: ['k'],
  aggregates: [
    { as: 'n', op: 'count' },
    { as: 'kinds', op: 'count_distinct', field: 'c' },
    { as: 'first_c', op: 'first', field: 'c' },
  ],
});

function events(n: number): Event[] {
  const stamper = new SourceStamper('ts', 2000);
  // Deterministic disorder: every third event 1.5 s in the past.
  return Array.from({ length: n }, (_, i) => stamper.stamp({ ts: i * 700 - (i % 3 === 0 ? 1500 : 0), k: `k${i % 4}`, c: `c${i % 5}` }));
}

function feed(op: Operator, col: ReturnType<typeof recordingCollector>, list: Event[]): void {
  let maxT = Number.NEGATIVE_INFINITY;
  for (const e of list) {
    op.process([e], col, 'in');
    maxT = Math.max(maxT, e[EVENT_TIME]!);
    op.onWatermark?.(maxT - 2000, col);
  }
}

describe('window state', () => {
  it('a window restored from a snapshot mid-stream gives the same output as an uninterrupted run', async () => {
    const all = events(200);
    const whole = recordingCollector('w', () => true);
    const ctx0 = testContext({ config, nodeId: 'w' });
    const op0 = await windowOperator(ctx0);
    feed(op0, whole, all);
    op0.onWatermark!(Number.POSITIVE_INFINITY, whole);

    const split = recordingCollector('w', () => true);
    const ctx1 = testContext({ config, nodeId: 'w' });
    const op1 = await windowOperator(ctx1);
    feed(op1, split, all.slice(0, 117));
    const snapshot = ctx1.stateRegistry.snapshot();
    const ctx2 = testContext({ config, nodeId: 'w' });
    const op2 = await windowOperator(ctx2);
    ctx2.stateRegistry.restore(JSON.parse(JSON.stringify(snapshot)));
    op2.onRestore!();
    feed(op2, split, all.slice(117));
    op2.onWatermark!(Number.POSITIVE_INFINITY, split);

    expect(plain(split.outputs.out)).toEqual(plain(whole.outputs.out));
    expect(plain(whole.outputs.out).length).toBeGreaterThan(100);
    expect(split.counters).toEqual(whole.counters);
  });

  it('keeps no state for windows already emitted', async () => {
    const ctx = testContext({ config, nodeId: 'w' });
    const op = await windowOperator(ctx);
    const col = recordingCollector('w', () => true);
    feed(op, col, events(100));
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    expect(ctx.stateRegistry.snapshot().windows).toEqual({ kind: 'keyed', entries: [] });
  });
});

describe('window definition', () => {
  const problems = (c: Record<string, unknown>) => windowDefinition.check!(windowDefinition.config.parse(c)).map((p) => `${p.path}: ${p.message}`);

  it('names what a window type is missing and what an aggregate needs', () => {
    expect(problems({ type: 'tumbling', aggregates: [{ as: 'n', op: 'count' }] })).toEqual(['config.size: a tumbling window needs a size']);
    expect(problems({ type: 'sliding', size: '1m', aggregates: [{ as: 'n', op: 'count' }] })).toEqual(['config.slide: a sliding window needs a slide']);
    expect(problems({ type: 'session', aggregates: [{ as: 's', op: 'sum' }] })).toEqual(['config.gap: a session window needs a gap', 'config.aggregates[0].field: sum needs a field']);
    expect(problems({ type: 'tumbling', size: '1m', keyBy: ['n'], aggregates: [{ as: 'n', op: 'count' }] })).toEqual(['config.aggregates[0].as: "n" is already an output field']);
  });

  it('refuses a duration that does not parse, with the contract message', () => {
    const r = windowDefinition.config.safeParse({ type: 'tumbling', size: '10 sec', aggregates: [{ as: 'n', op: 'count' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe('"10 sec" is not a duration (use 250ms, 10s, 5m, 1h)');
  });

  it('infers the output schema: keys, window bounds, aggregates', () => {
    const c = windowDefinition.config.parse({ type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }, { as: 'top', op: 'max', field: 'price' }] });
    const s = windowDefinition.inferSchema!(c, { inputs: { in: { fields: { sku: 'string', price: 'number' }, open: false } } });
    expect(s.out).toEqual({ fields: { sku: 'string', window_start: 'number', window_end: 'number', n: 'number', top: 'number' }, open: false });
  });
});
