import { EVENT_TIME, type Event } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../compile/compile-pipeline.js';
import { buildPlan } from '../../compile/plan.js';
import { decodeEvents } from './batch-codec.js';
import { ExchangeBuffer } from './exchange-buffer.js';

const doc = {
  format: 'sluice/v1',
  nodes: [
    { id: 'src', type: 'source.http', config: {} },
    { id: 'w', type: 'window', config: { type: 'tumbling', size: '1m', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] } },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'src', target: 'w' },
    { id: 'e2', source: 'w', target: 'out' },
  ],
};

describe('ExchangeBuffer on a combined edge (docs/combiner.md)', () => {
  it("a job of partial rows says how many events they stand for (a stop's discarded count)", () => {
    const { document } = compilePipeline(doc);
    const plan = buildPlan(document!, nodeDefinitions, { partitions: 1 });
    const edge = plan.edges.find((e) => e.id === 'e1')!;
    const exchange = new ExchangeBuffer(plan, plan.stages[0]!, 0);
    expect(exchange.combines).toBe(true);
    const row = (k: string, n: number) => ({ k, '\u0001n': n, [EVENT_TIME]: 1 }) as Event;
    const passed = { k: 'b', [EVENT_TIME]: 2 } as Event;
    exchange.send(edge, 0, [row('a', 40), passed]);
    exchange.send(edge, 0, [row('c', 9)]);
    const [job] = exchange.drain();
    // By hand: 40 + 1 + 9 events in 3 rows.
    expect(job!.job).toMatchObject({ n: 3, e: 50 });
    expect(decodeEvents(job!.job).map((e) => e['\u0001n'])).toEqual([40, undefined, 9]);
  });
});
