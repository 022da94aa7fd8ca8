/**
 * Which edges a BullMQ task's fused chains may skip over: only those no tap listens to and no
 * data rule counts (a fused chain hands events on without the per-edge batch onTap would see).
 */
import { describe, expect, it } from 'vitest';
import type { Plan, PlanEdge, PlanStage } from '../../compile/plan.js';
import type { EdgeTally } from '../../alerts/worker-edge-tally.js';
import { ExchangeBuffer } from './exchange-buffer.js';

const plan = { edges: [], stages: [], nodes: new Map() } as unknown as Plan;
const stage = { id: 0, nodes: [], partitions: 1 } as unknown as PlanStage;
const edge = (id: string) => ({ id }) as PlanEdge;
const publish = () => undefined;

function tallyOn(...edges: string[]): EdgeTally & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    begin: () => undefined,
    observe: (id) => void seen.push(id),
    watches: (id) => edges.includes(id),
    end: async () => undefined,
  };
}

describe('ExchangeBuffer: who observes an edge', () => {
  it('nobody without onTap; every edge with taps that do not say which they listen to', () => {
    const x = new ExchangeBuffer(plan, stage, 0);
    expect(x.observes(edge('e1'))).toBe(false);
    x.observeWith(publish, undefined, undefined);
    expect(x.observes(edge('e1'))).toBe(true);
  });

  it('a tapped edge and a counted edge are observed, another is not; the tally still sees each batch', () => {
    const x = new ExchangeBuffer(plan, stage, 0);
    const tally = tallyOn('e2');
    x.observeWith(publish, tally, (id) => id === 'e1');
    expect([x.observes(edge('e1')), x.observes(edge('e2')), x.observes(edge('e3'))]).toEqual([true, true, false]);
    x.onEdge(edge('e2'), [{ a: 1 }, { a: 2 }]);
    x.countEdge(edge('e3'), 5);
    expect(tally.seen).toEqual(['e2']);
    expect(x.edgeCounts).toEqual({ e2: 2, e3: 5 });
  });
});
